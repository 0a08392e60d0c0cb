package dev.tokenstarter.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * One master, one replica and three sentinels, as real processes on free ports, ready to fail over: every sentinel
 * knows the replica (to promote it) and the other sentinels (to elect a leader and hand them the new
 * configuration).
 */
public final class SentinelTopology implements AutoCloseable {

	private final String masterName;

	private final List<RedisServer> servers = new ArrayList<>();

	private final RedisServer master;

	private final RedisServer replica;

	private final List<RedisServer> sentinels;

	private SentinelTopology(String masterName, @Nullable Duration downAfter) {
		this.masterName = masterName;
		this.master = started(RedisServer.start());
		this.replica = started(RedisServer.start());
		// Loads the master's data straight from the connection, without an RDB file in the working directory.
		this.replica.command("CONFIG", "SET", "repl-diskless-load", "on-empty-db");
		this.replica.command("REPLICAOF", "127.0.0.1", Integer.toString(this.master.port()));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.replica.command("INFO", "replication").get(0).contains("master_link_status:up"));
		this.sentinels = List.of(started(RedisServer.startSentinel(masterName, this.master.port())),
				started(RedisServer.startSentinel(masterName, this.master.port())),
				started(RedisServer.startSentinel(masterName, this.master.port())));
		if (downAfter != null) {
			// Only the first sentinel: sentinels that hold the master down at the same moment can each vote for
			// themselves, and a split election is tried again only after twice failover-timeout (six minutes).
			this.sentinels.get(0)
				.command("SENTINEL", "SET", masterName, "down-after-milliseconds", Long.toString(downAfter.toMillis()));
		}
		await().atMost(Duration.ofSeconds(15)).until(() -> this.sentinels.stream().allMatch((sentinel) -> {
			List<String> replicas = sentinel.command("SENTINEL", "REPLICAS", masterName);
			List<String> others = sentinel.command("SENTINEL", "SENTINELS", masterName);
			return replicas.contains(Integer.toString(this.replica.port())) && replicas.contains("slave")
					&& others.stream().filter("name"::equals).count() == 2;
		}));
	}

	/**
	 * Starts the topology.
	 * @param masterName the name the sentinels know the master by
	 * @param downAfter how soon the first sentinel holds an unanswering master down, or null for the default
	 * (30 s); the others keep the default, so the first alone starts a failover and the others elect it
	 * @return the running topology
	 */
	public static SentinelTopology start(String masterName, @Nullable Duration downAfter) {
		return new SentinelTopology(masterName, downAfter);
	}

	public RedisServer master() {
		return this.master;
	}

	public RedisServer replica() {
		return this.replica;
	}

	public List<RedisServer> sentinels() {
		return this.sentinels;
	}

	/**
	 * Returns a server's {@code run_id}, by which the sentinels know it.
	 */
	public static String runId(RedisServer server) {
		return server.command("INFO", "server")
			.get(0)
			.lines()
			.filter((line) -> line.startsWith("run_id:"))
			.map((line) -> line.substring("run_id:".length()))
			.findFirst()
			.orElseThrow();
	}

	/**
	 * Asks the first sentinel to fail over now.
	 */
	public void failover() {
		this.sentinels.get(0).command("SENTINEL", "FAILOVER", this.masterName);
	}

	/**
	 * Whether the sentinels name the replica as the master.
	 */
	public boolean replicaIsMaster() {
		return this.sentinels.get(0)
			.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.masterName)
			.contains(Integer.toString(this.replica.port()));
	}

	/**
	 * Returns Spring Boot's properties connecting to the topology through its sentinels.
	 */
	public String[] connectionProperties() {
		String nodes = this.sentinels.stream()
			.map((sentinel) -> "127.0.0.1:" + sentinel.port())
			.collect(Collectors.joining(","));
		return new String[] { "spring.data.redis.sentinel.master=" + this.masterName,
				"spring.data.redis.sentinel.nodes=" + nodes };
	}

	private RedisServer started(RedisServer server) {
		this.servers.add(server);
		return server;
	}

	@Override
	public void close() {
		this.servers.forEach(RedisServer::close);
	}

}
