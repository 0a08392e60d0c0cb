package dev.tokenstarter.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tokenstarter.engine.TokenOperations;

/**
 * How many token keys the engine holds in memory, as the gauge {@code token.keys.held}: one number, never a tag per
 * principal or key, which would make a meter per user.
 */
public class TokenKeyMetrics implements MeterBinder {

	private final TokenOperations operations;

	public TokenKeyMetrics(TokenOperations operations) {
		this.operations = operations;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("token.keys.held", this.operations, TokenOperations::heldKeys)
			.description("Token keys held in memory, application tokens included")
			.register(registry);
	}

}
