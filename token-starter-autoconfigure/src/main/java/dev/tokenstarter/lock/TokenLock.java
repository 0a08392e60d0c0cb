package dev.tokenstarter.lock;

import java.time.Duration;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

/**
 * Makes sure one renewal of a token runs at a time for a key: within this process in memory mode, across the
 * fleet with a distributed implementation.
 */
public interface TokenLock {

	/**
	 * Runs {@code work} while holding the lock for {@code key}, and releases it when the work ends, however it
	 * ends.
	 * @param key what the lock protects, such as a registration and principal
	 * @param work the work, subscribed once the lock is held
	 * @param <T> the work's result type
	 * @return the work's result
	 */
	<T> Mono<T> withLock(String key, Supplier<Mono<T>> work);

	/**
	 * Runs {@code work} under the lock like {@link #withLock(String, Supplier)}, unless {@code served} yields a
	 * result while this renewal waits for the lock: it is asked each time a wait ends without the lock (the
	 * holder released it, or a pause passed). For work whose result another holder may produce meanwhile, such
	 * as a token that then arrives by change message: without it, a fleet's waiters take the lock one after
	 * another only to find that token, so the last of N waits N turns. The default ignores {@code served}, right
	 * for a lock that is only contended within one process, where renewals are single-flight anyway.
	 * @param key what the lock protects
	 * @param work the work, subscribed once the lock is held
	 * @param served what serves the waiter instead, or empty while nothing does
	 * @param <T> the work's result type
	 * @return the work's result, or what {@code served} yielded
	 */
	default <T> Mono<T> withLock(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> served) {
		return withLock(key, work);
	}

	/**
	 * Runs {@code work} under the lock only if nobody holds it now; otherwise runs {@code otherwise} at once,
	 * without waiting. For renewals ahead of expiry: when another instance is already renewing, there is nothing
	 * to wait for. The default waits like {@link #withLock}, right for a lock that is only contended within one
	 * process, where renewals are single-flight anyway.
	 * @param key what the lock protects
	 * @param work the work, subscribed once the lock is held
	 * @param otherwise what to do when the lock is held elsewhere
	 * @param <T> the result type
	 * @return the result of {@code work} or of {@code otherwise}
	 */
	default <T> Mono<T> withLockIfFree(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> otherwise) {
		return withLock(key, work);
	}

	/**
	 * Runs {@code work} under the lock like {@link #withLock}, but never without it while the lock's service
	 * answers: when the wait runs out, it waits again (the holder's lease ends the wait at the latest). For
	 * providers that keep one session per client, where renewing without the lock would end the holder's session.
	 * The default is {@link #withLock}, right for a lock that always waits for its holder.
	 * @param key what the lock protects
	 * @param work the work, subscribed once the lock is held
	 * @param <T> the work's result type
	 * @return the work's result
	 */
	default <T> Mono<T> withExclusiveLock(String key, Supplier<Mono<T>> work) {
		return withLock(key, work);
	}

	/**
	 * {@link #withExclusiveLock(String, Supplier)}, unless {@code served} yields a result while this renewal
	 * waits, as for {@link #withLock(String, Supplier, Supplier)}. The default ignores {@code served}.
	 * @param key what the lock protects
	 * @param work the work, subscribed once the lock is held
	 * @param served what serves the waiter instead, or empty while nothing does
	 * @param <T> the work's result type
	 * @return the work's result, or what {@code served} yielded
	 */
	default <T> Mono<T> withExclusiveLock(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> served) {
		return withExclusiveLock(key, work);
	}

	/**
	 * Whether the lock coordinates this process only at the moment, because its fleet-wide service does not
	 * answer. A lock that never coordinated more than one process is not degraded.
	 * @return whether coordination with the fleet is lost
	 */
	default boolean isDegraded() {
		return false;
	}

	/**
	 * How long, once the lock's service answers again, every instance may take to notice it and write back what
	 * it obtained while working alone. Zero for a lock that never coordinated more than one process.
	 * @return the longest time for the fleet to rejoin
	 */
	default Duration rejoinTime() {
		return Duration.ZERO;
	}

}
