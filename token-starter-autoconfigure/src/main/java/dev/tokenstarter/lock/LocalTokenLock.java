package dev.tokenstarter.lock;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

/**
 * An in-process lock per key that never blocks a thread: each holder waits, as a future, for the one before it.
 * Reactor has no asynchronous mutex, and a blocking lock would stall event-loop threads.
 */
public class LocalTokenLock implements TokenLock {

	private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

	@Override
	public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
		return Mono.defer(() -> {
			CompletableFuture<Void> mine = new CompletableFuture<>();
			CompletableFuture<Void> previous = this.tails.put(key, mine);
			// The key is free once this turn is over, not when its holder stops waiting: a waiter cancelled at the
			// end of the queue would otherwise leave no tail, and the next arrival would run beside the holder.
			mine.whenComplete((ignored, failure) -> this.tails.remove(key, mine));
			Mono<Void> turn = (previous != null) ? Mono.fromFuture(previous, true) : Mono.empty();
			return turn.then(Mono.defer(work)).doFinally((signal) -> {
				// A waiter cancelled before its turn must not let the next one in while the holder still works.
				if (previous != null && !previous.isDone()) {
					previous.whenComplete((ignored, failure) -> mine.complete(null));
				}
				else {
					mine.complete(null);
				}
			});
		});
	}

}
