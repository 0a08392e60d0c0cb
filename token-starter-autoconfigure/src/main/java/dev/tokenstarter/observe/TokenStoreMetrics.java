package dev.tokenstarter.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tokenstarter.store.RedisAvailability;

/**
 * The Redis store's health as meters: {@code token.store.errors} by operation, and {@code token.store.degraded}
 * (1 while this instance works without Redis).
 */
public class TokenStoreMetrics implements MeterBinder {

	private final RedisAvailability availability;

	public TokenStoreMetrics(RedisAvailability availability) {
		this.availability = availability;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("token.store.degraded", this.availability, (held) -> held.isDegraded() ? 1 : 0)
			.description("1 while this instance keeps and renews tokens without Redis")
			.register(registry);
		this.availability.onFailure((operation) -> Counter.builder("token.store.errors")
			.description("Failed Redis commands of the token store and lock")
			.tag("operation", operation)
			.register(registry)
			.increment());
	}

}
