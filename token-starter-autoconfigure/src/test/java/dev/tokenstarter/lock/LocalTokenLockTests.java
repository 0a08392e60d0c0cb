package dev.tokenstarter.lock;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-process lock: one holder per key at a time, without blocking threads, and a waiter that gives up
 * never lets the next one in while the holder still works.
 */
class LocalTokenLockTests {

	private final LocalTokenLock lock = new LocalTokenLock();

	@Test
	void holdersOfOneKeyNeverOverlap() {
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger mostInside = new AtomicInteger();
		List<Integer> done = Flux.range(0, 200)
			.flatMap((i) -> this.lock.withLock("k", () -> Mono.fromCallable(() -> {
				mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
				return i;
			}).delayElement(Duration.ofMillis(1)).doOnNext((value) -> inside.decrementAndGet()))
				.subscribeOn(Schedulers.parallel()), 200)
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(done).hasSize(200);
		assertThat(mostInside).hasValue(1);
	}

	@Test
	void differentKeysDoNotWaitForEachOther() {
		Sinks.Empty<Void> release = Sinks.empty();
		Disposable holder = this.lock.withLock("a", () -> release.asMono()).subscribe();
		assertThat(this.lock.withLock("b", () -> Mono.just("b")).block(Duration.ofSeconds(1))).isEqualTo("b");
		release.tryEmitEmpty();
		holder.dispose();
	}

	@Test
	void aWaiterThatGivesUpDoesNotLetTheNextOneInEarly() {
		Sinks.Empty<Void> release = Sinks.empty();
		AtomicInteger thirdStarted = new AtomicInteger();
		this.lock.withLock("k", () -> release.asMono()).subscribe();
		Disposable impatient = this.lock.withLock("k", () -> Mono.just("second")).subscribe();
		Mono<String> third = this.lock.withLock("k", () -> Mono.fromCallable(() -> {
			thirdStarted.incrementAndGet();
			return "third";
		}));
		Disposable waiting = third.subscribe();
		impatient.dispose();
		assertThat(thirdStarted).as("the first holder still works").hasValue(0);
		release.tryEmitEmpty();
		assertThat(third.block(Duration.ofSeconds(1))).isEqualTo("third");
		waiting.dispose();
	}

	/**
	 * The last waiter in the queue giving up must not leave the key looking free: whoever comes next still waits
	 * for the holder.
	 */
	@Test
	void theLastWaiterGivingUpDoesNotLetTheNextArrivalInEarly() {
		Sinks.Empty<Void> release = Sinks.empty();
		AtomicInteger nextStarted = new AtomicInteger();
		this.lock.withLock("k", () -> release.asMono()).subscribe();
		this.lock.withLock("k", () -> Mono.just("second")).subscribe().dispose();
		Mono<String> next = this.lock.withLock("k", () -> Mono.fromCallable(() -> {
			nextStarted.incrementAndGet();
			return "next";
		}));
		Disposable waiting = next.subscribe();
		assertThat(nextStarted).as("the first holder still works").hasValue(0);
		release.tryEmitEmpty();
		assertThat(nextStarted).hasValue(1);
		waiting.dispose();
	}

}
