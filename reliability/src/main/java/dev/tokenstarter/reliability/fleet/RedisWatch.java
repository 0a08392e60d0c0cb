package dev.tokenstarter.reliability.fleet;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;

import dev.tokenstarter.lock.TokenLock;

/**
 * Reports when this instance starts and stops working alone (its fleet lock degraded to a local one because Redis
 * did not answer), and, on Sentinel, which master its Redis client uses: the runner times the rejoin after an
 * outage and the switch to a new master from these.
 */
final class RedisWatch implements AutoCloseable {

	private static final long INTERVAL_MILLIS = 50;

	private final TokenLock lock;

	private final @Nullable RedissonClient sentinelClient;

	private final FleetReport report;

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

	private boolean degraded;

	private int masterPort;

	RedisWatch(TokenLock lock, @Nullable RedissonClient redisson, FleetReport report) {
		this.lock = lock;
		this.sentinelClient = (redisson != null && redisson.getConfig().isSentinelConfig()) ? redisson : null;
		this.report = report;
	}

	void start() {
		this.executor.scheduleWithFixedDelay(this::look, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
	}

	private void look() {
		boolean nowDegraded = this.lock.isDegraded();
		if (nowDegraded != this.degraded) {
			this.degraded = nowDegraded;
			this.report.event("DEGRADED " + nowDegraded);
		}
		if (this.sentinelClient != null) {
			int port = this.sentinelClient.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE).getMaster().getAddr().getPort();
			if (port != this.masterPort) {
				this.masterPort = port;
				this.report.event("MASTER " + port);
			}
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
