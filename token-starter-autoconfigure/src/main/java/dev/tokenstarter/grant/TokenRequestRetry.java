package dev.tokenstarter.grant;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import dev.tokenstarter.config.RetrySettings;

/**
 * Retries transient token request failures with exponential backoff and jitter, bounded in attempts and in
 * total time. A {@link Retry} of its own because Reactor's {@code RetryBackoffSpec} cannot wait for the delay a
 * server gives in {@code Retry-After}.
 */
class TokenRequestRetry extends Retry {

	private final RetrySettings settings;

	TokenRequestRetry(RetrySettings settings) {
		this.settings = settings;
	}

	@Override
	public Publisher<?> generateCompanion(Flux<RetrySignal> signals) {
		long startNanos = System.nanoTime();
		return signals.concatMap((signal) -> {
			Throwable failure = signal.failure();
			long retriesSoFar = signal.totalRetries();
			if (!TokenErrors.isTransient(failure) || retriesSoFar + 1 >= this.settings.maxAttempts()) {
				return Mono.error(failure);
			}
			Duration delay = delay(failure, retriesSoFar);
			Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
			// Compared with what is left rather than added to the time spent: a provider's Retry-After may be as
			// long as a Duration holds.
			if (delay.compareTo(this.settings.timeout().minus(elapsed)) >= 0) {
				return Mono.error(failure);
			}
			return Mono.delay(delay);
		});
	}

	/**
	 * The backoff, or the provider's Retry-After when it asks for longer: the least it asks to be left alone,
	 * which does not make a retry sooner than the backoff would ({@code Retry-After: 0}).
	 */
	private Duration delay(Throwable failure, long retriesSoFar) {
		Duration asked = TokenErrors.retryAfter(failure);
		Duration backoff = backoff(retriesSoFar);
		return (asked != null && asked.compareTo(backoff) > 0) ? asked : backoff;
	}

	private Duration backoff(long retriesSoFar) {
		long base = this.settings.initialBackoff().toMillis() << Math.min(retriesSoFar, 20);
		long capped = Math.min(base, this.settings.maxBackoff().toMillis());
		long spread = (long) (capped * this.settings.jitter());
		long jittered = capped + ((spread > 0) ? ThreadLocalRandom.current().nextLong(-spread, spread + 1) : 0);
		return Duration.ofMillis(Math.max(0, jittered));
	}

}
