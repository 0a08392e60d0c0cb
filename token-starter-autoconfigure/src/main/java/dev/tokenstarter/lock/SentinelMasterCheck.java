package dev.tokenstarter.lock;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.api.redisnode.RedisSentinel;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.util.Assert;

/**
 * Confirms a master with the sentinels: a lock stands only if no sentinel is failing the master over, names a
 * master with another run id, or lists among the replicas the granting server or a running server it has not
 * identified yet.
 *
 * <p>Each instance's Redisson learns of a new master when it next asks a sentinel (up to a scan interval after the
 * switch), and a planned switchover leaves the old master running and taking writes for seconds more. Without this
 * check an instance still on the old master takes the lock there while an instance already on the new master takes
 * it too, and both renew the token (measured: two or three token requests and dozens of failed calls against a
 * single-session provider). During the failover itself the leading sentinel flags the master, and the replica it
 * promotes no longer receives the old master's writes, so no lock is granted then either. After the switch, the
 * sentinels that have switched list the old master among the replicas, first without a run id (until they have
 * connected to it and asked), while a sentinel that has not switched yet still names the old master; so a replica
 * that is not held down but not identified yet counts as possibly the granting server. The new master's run id the
 * sentinels learn only seconds later, so an unknown master run id is no objection: the instances' locks would
 * otherwise stop for that long after every switch.
 *
 * <p>A sentinel that does not answer within the timeout has no say, and with none answering the lock stands: the
 * check must not stop renewals when the sentinels are unreachable but the master answers.
 */
public final class SentinelMasterCheck implements MasterCheck {

	private static final Log logger = LogFactory.getLog(SentinelMasterCheck.class);

	/** How long a sentinel takes at most to connect to a server it has just listed (it tries every 100 ms or so). */
	private static final Duration NEW_LINK_GRACE = Duration.ofSeconds(2);

	private final RedissonClient redisson;

	private final String masterName;

	private final Duration timeout;

	/**
	 * @param redisson a client in Sentinel mode
	 * @param masterName the name the sentinels know the master by
	 * @param timeout how long a sentinel has to answer
	 */
	public SentinelMasterCheck(RedissonClient redisson, String masterName, Duration timeout) {
		Assert.notNull(redisson, "redisson cannot be null");
		Assert.isTrue(redisson.getConfig().isSentinelConfig(), "redisson must be configured for Sentinel");
		Assert.hasText(masterName, "masterName cannot be empty");
		Assert.notNull(timeout, "timeout cannot be null");
		this.redisson = redisson;
		this.masterName = masterName;
		this.timeout = timeout;
	}

	@Override
	public Mono<Boolean> isMaster(String runId) {
		// The sentinels Redisson knows now: it may have found others since start-up.
		return Flux.defer(() -> Flux.fromIterable(this.redisson.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE)
			.getSentinels()))
			.flatMap((sentinel) -> objects(sentinel, runId))
			.any(Boolean::booleanValue)
			.map((objected) -> !objected);
	}

	private Mono<Boolean> objects(RedisSentinel sentinel, String runId) {
		Mono<Boolean> master = Mono.fromCompletionStage(() -> sentinel.getMasterAsync(this.masterName))
			.map((state) -> failingOver(state) || namesAnother(state, runId));
		Mono<Boolean> replica = Mono.fromCompletionStage(() -> sentinel.getSlavesAsync(this.masterName))
			.map((replicas) -> lists(replicas, runId));
		return Flux.merge(master, replica).any(Boolean::booleanValue).timeout(this.timeout).onErrorResume((ex) -> {
			logger.debug("Sentinel " + sentinel.getAddr() + " did not answer about master '" + this.masterName
					+ "' (" + ex.getMessage() + "); deciding without it");
			return Mono.just(false);
		});
	}

	private static boolean failingOver(Map<String, String> master) {
		return master.getOrDefault("flags", "").contains("failover_in_progress");
	}

	private static boolean namesAnother(Map<String, String> master, String runId) {
		String named = master.get("runid");
		return !runId.isEmpty() && named != null && !named.isEmpty() && !named.equals(runId);
	}

	private static boolean lists(List<Map<String, String>> replicas, String runId) {
		return !runId.isEmpty() && replicas.stream()
			.anyMatch((replica) -> runId.equals(replica.get("runid")) || unidentified(replica));
	}

	/**
	 * Whether a replica may be a running server the sentinel has not asked for its run id yet. Right after a
	 * switch the sentinels list the old master so, first without even a connection to it. A replica the sentinel
	 * holds down, or has not reached for {@link #NEW_LINK_GRACE}, is gone rather than new: it never gets a run id
	 * while it stays away, and must not stop the fleet's locks (after a failover on a dead master, the sentinels
	 * list the dead one among the replicas for good).
	 */
	private static boolean unidentified(Map<String, String> replica) {
		if (!replica.getOrDefault("runid", "").isEmpty()) {
			return false;
		}
		String flags = replica.getOrDefault("flags", "");
		if (flags.contains("s_down") || flags.contains("o_down")) {
			return false;
		}
		// Milliseconds since the replica last answered, or since the sentinel listed it if it never did.
		long silentFor = Long.parseLong(replica.getOrDefault("last-ok-ping-reply", "0"));
		return !flags.contains("disconnected") || silentFor < NEW_LINK_GRACE.toMillis();
	}

}
