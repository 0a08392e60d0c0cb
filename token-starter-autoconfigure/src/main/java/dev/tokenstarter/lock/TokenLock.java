package dev.tokenstarter.lock;

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

}
