package dev.tokenstarter.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;

/**
 * The engine's events as Micrometer meters: {@code token.lookups}, {@code token.wait},
 * {@code token.unauthorized.retries}, {@code token.lock.wait} and the {@code token.expiry} gauge (token requests
 * are the {@code token.requests} observation). Tags are low-cardinality: provider names and fixed outcomes.
 */
public class MicrometerTokenObserver implements TokenObserver {

	private final MeterRegistry registry;

	private final Clock clock;

	/** Counters per provider by lookup result, so the hot path does one map read and one increment. */
	private final Map<String, Counter[]> lookups = new ConcurrentHashMap<>();

	private final Map<String, AtomicReference<Instant>> expiries = new ConcurrentHashMap<>();

	public MicrometerTokenObserver(MeterRegistry registry, Clock clock) {
		this.registry = registry;
		this.clock = clock;
	}

	@Override
	public void lookup(String provider, Lookup result) {
		// A plain read first: the method reference computeIfAbsent needs captures this, one object per call.
		Counter[] counters = this.lookups.get(provider);
		if (counters == null) {
			counters = this.lookups.computeIfAbsent(provider, this::lookupCounters);
		}
		counters[result.ordinal()].increment();
	}

	private Counter[] lookupCounters(String provider) {
		Lookup[] results = Lookup.values();
		Counter[] counters = new Counter[results.length];
		for (Lookup result : results) {
			counters[result.ordinal()] = Counter.builder("token.lookups")
				.description("Token look-ups by what the near cache had")
				.tag("provider", provider)
				.tag("result", result.name().toLowerCase())
				.register(this.registry);
		}
		return counters;
	}

	@Override
	public void waited(String provider, long nanos, boolean success) {
		Timer.builder("token.wait")
			.description("Time callers waited for a token renewal")
			.tag("provider", provider)
			.tag("outcome", success ? "success" : "failure")
			.register(this.registry)
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void obtained(ManagedToken token, boolean ahead) {
		// One gauge per provider, never per key (cardinality): its application token's, which every call
		// without a key depends on.
		if (!token.isApplicationToken()) {
			return;
		}
		String provider = token.authorizedClient().getClientRegistration().getRegistrationId();
		this.expiries.computeIfAbsent(provider, this::expiryGauge).set(token.accessToken().getExpiresAt());
	}

	private AtomicReference<Instant> expiryGauge(String provider) {
		AtomicReference<Instant> expiry = new AtomicReference<>();
		Gauge.builder("token.expiry", expiry, (held) -> {
			Instant at = held.get();
			return (at != null) ? Duration.between(this.clock.instant(), at).toMillis() / 1000.0 : Double.NaN;
		})
			.description("Seconds until the provider's application token expires")
			.baseUnit("seconds")
			.tag("provider", provider)
			.register(this.registry);
		return expiry;
	}

	@Override
	public void unauthorizedRetry(String provider, boolean success) {
		Counter.builder("token.unauthorized.retries")
			.description("Requests retried with a new token after the API rejected one")
			.tag("provider", provider)
			.tag("outcome", success ? "success" : "failure")
			.register(this.registry)
			.increment();
	}

	@Override
	public void failed(TokenAcquisitionException failure) {
		Counter.builder("token.renewals.failed")
			.description("Renewals that ended without a token, by reason (coordination_lost: a single-session "
					+ "provider's instance could not coordinate with the fleet and used its budget)")
			.tag("provider", failure.getProvider())
			.tag("reason", TokenErrors.metricTag(failure))
			.register(this.registry)
			.increment();
	}

	@Override
	public void freshTokenRejected(String provider, Instant renewalsResumeAt) {
		Counter.builder("token.unauthorized.unrenewed")
			.description("Episodes in which the API refused newly issued tokens and rejections went unrenewed")
			.tag("provider", provider)
			.register(this.registry)
			.increment();
	}

	@Override
	public void lockWaited(String key, String outcome, long nanos) {
		int separator = key.indexOf(':');
		Timer.builder("token.lock.wait")
			.description("Time renewals waited for the fleet-wide lock")
			.tag("provider", (separator > 0) ? key.substring(0, separator) : key)
			.tag("outcome", outcome)
			.register(this.registry)
			.record(nanos, TimeUnit.NANOSECONDS);
	}

}
