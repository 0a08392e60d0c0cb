package dev.tokenstarter.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.engine.TokenOperations;
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

	private final Supplier<? extends TokenOperations> operations;

	/** The providers whose {@code token.expiry} gauge is registered. */
	private final Set<String> expiries = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the meters' observer.
	 * @param registry where the meters go
	 * @param clock the clock of the time to expiry
	 * @param operations the engine, asked for the token it holds when the expiry gauge is read: not at
	 * construction, since the engine is built with its observers
	 */
	public MicrometerTokenObserver(MeterRegistry registry, Clock clock,
			Supplier<? extends TokenOperations> operations) {
		this.registry = registry;
		this.clock = clock;
		this.operations = operations;
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
		expiryGauge(provider);
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
		if (token.isApplicationToken()) {
			expiryGauge(token.authorizedClient().getClientRegistration().getRegistrationId());
		}
	}

	/**
	 * Registers the provider's {@code token.expiry} gauge, once. It reads the application token the engine holds
	 * when it is read, whoever obtained that token: an instance of a fleet mostly takes up its teammates' tokens
	 * (from the store, or by change message), and an expiry recorded only when this instance asks the provider
	 * was missing there, or went on counting down past zero while a valid token was held.
	 */
	private void expiryGauge(String provider) {
		if (!this.expiries.add(provider)) {
			return;
		}
		Gauge.builder("token.expiry", this, (observer) -> observer.secondsToExpiry(provider))
			.description("Seconds until the provider's application token expires")
			.baseUnit("seconds")
			.tag("provider", provider)
			.strongReference(true)
			.register(this.registry);
	}

	private double secondsToExpiry(String provider) {
		Instant expiresAt = this.operations.get().status(provider).expiresAt();
		return (expiresAt != null) ? Duration.between(this.clock.instant(), expiresAt).toMillis() / 1000.0
				: Double.NaN;
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
