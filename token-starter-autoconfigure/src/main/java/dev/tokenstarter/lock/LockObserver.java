package dev.tokenstarter.lock;

/**
 * Hears how renewals wait for a lock, for metrics and logs. The lock's own callback, so that the lock needs
 * nothing of the engine that takes it: the engine's observer extends this one. Implementations must be cheap,
 * as a renewal waits while they run.
 */
public interface LockObserver {

	/** Observes nothing. */
	LockObserver NONE = new LockObserver() {
	};

	/**
	 * A renewal waited for the fleet-wide lock.
	 * @param key the lock's key (registration and principal)
	 * @param outcome {@code acquired}, {@code busy} (held elsewhere, not waited for), {@code served} (the holder's
	 * result reached the waiter, which left without the lock), {@code timeout} (renewed
	 * without the lock) or {@code local} (Redis down)
	 * @param nanos how long it waited
	 */
	default void lockWaited(String key, String outcome, long nanos) {
	}

}
