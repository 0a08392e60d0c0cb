package dev.tokenstarter.reliability.fleet;

import java.util.function.Supplier;

import reactor.core.publisher.Mono;

import dev.tokenstarter.lock.TokenLock;

/**
 * A lock that does not lock: the harness's deliberately broken build ({@code harness.broken-lock=true}), to show
 * which experiments catch a fleet whose renewals are not coordinated. Users may replace the {@link TokenLock}
 * bean; this is not a product setting.
 */
final class UnlockedTokenLock implements TokenLock {

	@Override
	public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
		return Mono.defer(work);
	}

}
