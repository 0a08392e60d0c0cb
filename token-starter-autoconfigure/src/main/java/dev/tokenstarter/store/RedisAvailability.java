package dev.tokenstarter.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Whether Redis is worth asking. After a failed command the store and the lock work on this instance alone
 * (degraded mode, logged once) for the retry interval, so callers do not wait on a Redis that is down; then
 * Redis is tried again, and the first success ends degraded mode.
 */
public class RedisAvailability {

	private static final Log logger = LogFactory.getLog(RedisAvailability.class);

	private final long retryIntervalNanos;

	private final AtomicBoolean degraded = new AtomicBoolean();

	private final List<Runnable> recoveryListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<String>> failureListeners = new CopyOnWriteArrayList<>();

	private volatile long retryAtNanos = System.nanoTime();

	public RedisAvailability(Duration retryInterval) {
		this.retryIntervalNanos = retryInterval.toNanos();
	}

	/**
	 * Whether a Redis command should be sent now.
	 */
	public boolean shouldTry() {
		return !this.degraded.get() || System.nanoTime() - this.retryAtNanos >= 0;
	}

	/**
	 * Records a failed Redis command.
	 * @param operation what was being done, for the log
	 * @param failure the failure
	 */
	public void failed(String operation, Throwable failure) {
		this.retryAtNanos = System.nanoTime() + this.retryIntervalNanos;
		this.failureListeners.forEach((listener) -> listener.accept(operation));
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
