package dev.tokenstarter.store;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;

import org.springframework.context.SmartLifecycle;

/**
 * Asks Redis, at least once a second while this instance works without it, whether it answers again. Without it,
 * the end of an outage is only noticed when some renewal happens to try Redis or Redisson re-subscribes in its
 * own time; meanwhile single-session providers keep refusing callers for lost coordination, and tokens obtained
 * during the outage wait to be written back. The probe does not wait for the retry interval, which keeps callers
 * off a Redis that failed: no caller waits on the probe, and waiting for it after a failed probe kept an instance
 * alone for up to two intervals after Redis answered again.
 */
public class RedisAvailabilityProbe implements SmartLifecycle {

	/** The longest time between two probes: what an outage's end costs at most, beyond one command. */
	public static final Duration LONGEST_PERIOD = Duration.ofSeconds(1);

	private final RedissonClient redisson;

	private final String probeKey;

	private final RedisAvailability availability;

	private final Duration interval;

	private final Duration timeout;

	private @Nullable ScheduledExecutorService executor;

	private @Nullable ScheduledFuture<?> schedule;

	public RedisAvailabilityProbe(RedissonClient redisson, RedisKeys keys, RedisAvailability availability,
			Duration interval, Duration timeout) {
		this.redisson = redisson;
		this.probeKey = keys.lock("availability-probe");
		this.availability = availability;
		this.interval = interval;
		this.timeout = timeout;
	}

	@Override
	public synchronized void start() {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "token-redis-probe");
			thread.setDaemon(true);
			return thread;
		});
		long period = Math.min(this.interval.toMillis(), LONGEST_PERIOD.toMillis());
		this.schedule = this.executor.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
			this.schedule = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.schedule != null;
	}

	private void probe() {
		if (!this.availability.isDegraded()) {
			return;
		}
		this.redisson.getBucket(this.probeKey)
			.isExistsAsync()
			.toCompletableFuture()
			.orTimeout(this.timeout.toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((exists, failure) -> {
				if (failure != null) {
					this.availability.failed("probe", failure);
				}
				else {
					this.availability.succeeded();
				}
			});
	}

}
