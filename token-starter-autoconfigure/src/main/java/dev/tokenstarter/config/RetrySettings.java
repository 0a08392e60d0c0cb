package dev.tokenstarter.config;

import java.time.Duration;

import static dev.tokenstarter.config.RefreshSettings.pick;

/**
 * A provider's retry and timeout settings, resolved from its own properties, then {@code token.defaults.retry},
 * then the built-in defaults: 4 attempts, backoff from 200 ms doubling up to 5 s with 50 % jitter, 30 s in all,
 * 10 s per request and 5 s to connect.
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter,
		Duration timeout, Duration requestTimeout, Duration connectTimeout) {

	static final RetrySettings BUILT_IN = new RetrySettings(4, Duration.ofMillis(200), Duration.ofSeconds(5), 0.5,
			Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(5));

	static RetrySettings resolve(RetryProperties own, RetryProperties defaults) {
		return new RetrySettings(pick(own.getMaxAttempts(), defaults.getMaxAttempts(), BUILT_IN.maxAttempts),
				pick(own.getInitialBackoff(), defaults.getInitialBackoff(), BUILT_IN.initialBackoff),
				pick(own.getMaxBackoff(), defaults.getMaxBackoff(), BUILT_IN.maxBackoff),
				pick(own.getJitter(), defaults.getJitter(), BUILT_IN.jitter),
				pick(own.getTimeout(), defaults.getTimeout(), BUILT_IN.timeout),
				pick(own.getRequestTimeout(), defaults.getRequestTimeout(), BUILT_IN.requestTimeout),
				pick(own.getConnectTimeout(), defaults.getConnectTimeout(), BUILT_IN.connectTimeout));
	}

}
