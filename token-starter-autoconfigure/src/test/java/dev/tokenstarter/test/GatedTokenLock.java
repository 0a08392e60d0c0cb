package dev.tokenstarter.test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.tokenstarter.lock.LocalTokenLock;
import dev.tokenstarter.lock.TokenLock;

/**
 * An in-process lock that can hold the next caller back before it asks for the lock, until the test opens the
 * gate: a renewal that has begun (it took the token it holds) and not yet reached the lock, so that something else
 * can happen in between, in an order the test chooses.
 */
public final class GatedTokenLock implements TokenLock {

	private final LocalTokenLock lock = new LocalTokenLock();

	private final AtomicReference<@Nullable CompletableFuture<Void>> armed = new AtomicReference<>();

	private final CompletableFuture<Void> reached = new CompletableFuture<>();

	private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

	/**
	 * Holds back the next caller of the lock, whichever key it asks for, until {@link #open()}.
	 */
	public void holdNextCaller() {
		CompletableFuture<Void> closed = new CompletableFuture<>();
		this.gate = closed;
		this.armed.set(closed);
	}

	/**
	 * Whether the caller held back has reached the gate.
	 */
	public boolean isHolding() {
		return this.reached.isDone();
	}

	/**
	 * Lets the caller held back ask for the lock.
	 */
	public void open() {
		this.gate.complete(null);
	}

	@Override
	public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
		return Mono.defer(() -> {
			CompletableFuture<Void> held = this.armed.getAndSet(null);
			if (held == null) {
				return this.lock.withLock(key, work);
			}
			this.reached.complete(null);
			return Mono.fromFuture(held).then(this.lock.withLock(key, work));
		});
	}

}
