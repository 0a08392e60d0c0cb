package dev.tokenstarter.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.redisson.client.RedisTimeoutException;

import org.springframework.util.Assert;

/**
 * Whether Redis is worth asking. After a failed command the store and the lock work on this instance alone
 * (degraded mode, logged once) for the retry interval, so callers do not wait on a Redis that is down; then
 * Redis is tried again, and the first success ends degraded mode. A command that timed out while Redis answered
 * other commands within the timeout is a slow answer, as on a loaded machine, not an outage: it fails alone, and
 * the instance stays with the fleet.
 */
public class RedisAvailability {

	private static final Log logger = LogFactory.getLog(RedisAvailability.class);

	private final long retryIntervalNanos;

	private final long timeoutNanos;

	private final LongSupplier nanoTime;

	private final AtomicBoolean degraded = new AtomicBoolean();

	private final List<Runnable> recoveryListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<String>> failureListeners = new CopyOnWriteArrayList<>();

	private volatile long retryAtNanos;

	private volatile long answeredAtNanos;

	/**
	 * Creates the availability of one Redis.
	 * @param retryInterval how long Redis is left alone after an outage began
	 * @param timeout the commands' timeout: a timed-out command is an outage only when Redis answered nothing for
	 * this long; zero makes every timeout an outage
	 */
	public RedisAvailability(Duration retryInterval, Duration timeout) {
		this(retryInterval, timeout, System::nanoTime);
	}

	RedisAvailability(Duration retryInterval, Duration timeout, LongSupplier nanoTime) {
		Assert.notNull(retryInterval, "retryInterval cannot be null");
		Assert.notNull(timeout, "timeout cannot be null");
		this.retryIntervalNanos = retryInterval.toNanos();
		this.timeoutNanos = timeout.toNanos();
		this.nanoTime = nanoTime;
		long now = nanoTime.getAsLong();
		this.retryAtNanos = now;
		this.answeredAtNanos = now - this.timeoutNanos - 1;
	}

	/**
	 * Whether a Redis command should be sent now.
	 */
	public boolean shouldTry() {
		return !this.degraded.get() || this.nanoTime.getAsLong() - this.retryAtNanos >= 0;
	}

	/**
	 * Records a failed Redis command.
	 * @param operation what was being done, for the log
	 * @param failure the failure
	 */
	public void failed(String operation, Throwable failure) {
		long now = this.nanoTime.getAsLong();
		this.failureListeners.forEach((listener) -> listener.accept(operation));
		if (!this.degraded.get() && isTimeout(failure) && now - this.answeredAtNanos <= this.timeoutNanos) {
			logger.debug("Redis answered other commands within the timeout; " + operation + " timed out alone");
			return;
		}
		this.retryAtNanos = now + this.retryIntervalNanos;
		if (this.degraded.compareAndSet(false, true)) {
			logger.warn("Redis failed during " + operation + " (" + failure.getClass().getSimpleName() + ": "
					+ failure.getMessage() + "); tokens are kept and renewed by this instance alone until Redis "
					+ "answers again");
		}
	}

	/**
	 * Records a successful Redis command.
	 */
	public void succeeded() {
		this.answeredAtNanos = this.nanoTime.getAsLong();
		if (this.degraded.compareAndSet(true, false)) {
			logger.info("Redis answers again: back to the shared token store and lock");
			this.recoveryListeners.forEach(Runnable::run);
		}
	}

	/**
	 * Whether this instance works without Redis at the moment.
	 */
	public boolean isDegraded() {
		return this.degraded.get();
	}

	private static boolean isTimeout(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof TimeoutException || cause instanceof RedisTimeoutException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Registers a listener told the operation of every failed Redis command.
	 */
	public void onFailure(Consumer<String> listener) {
		this.failureListeners.add(listener);
	}

	/**
	 * Registers work to do when Redis answers again after a failure.
	 */
	public void onRecovery(Runnable listener) {
		this.recoveryListeners.add(listener);
	}

}
