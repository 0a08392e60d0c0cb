package dev.tokenstarter.config;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A provider's renewal timing, resolved from its own properties, then {@code token.defaults.refresh}, then the
 * built-in defaults below.
 *
 * <p>The defaults are chosen to suit 300 s tokens (Pagstar) and 1 h tokens alike: a stale window of a quarter of
 * the lifetime (75 s for 300 s tokens) capped at 5 minutes (what Nomba asks for 30 minute tokens), an expiry
 * margin of 10 s capped at a tenth of the lifetime, and 10 % jitter. Callers wait at most 5 s for a renewal: long
 * enough for a slow token endpoint and a few retries, short enough not to exhaust a servlet container's threads.
 */
public record RefreshSettings(double refreshAheadRatio, Duration maxRefreshAhead, Duration expiryMargin, double jitter,
		Duration defaultLifetime, Duration maxLifetime, Duration failureCooldown, Duration idleTimeout,
		Duration maxCallerWait) {

	static final RefreshSettings BUILT_IN = new RefreshSettings(0.25, Duration.ofMinutes(5), Duration.ofSeconds(10),
			0.1, Duration.ofMinutes(5), Duration.ofDays(30), Duration.ofSeconds(5), Duration.ofMinutes(30),
			Duration.ofSeconds(5));

	static RefreshSettings resolve(RefreshProperties own, RefreshProperties defaults) {
		return new RefreshSettings(
				pick(own.getRefreshAheadRatio(), defaults.getRefreshAheadRatio(), BUILT_IN.refreshAheadRatio),
				pick(own.getMaxRefreshAhead(), defaults.getMaxRefreshAhead(), BUILT_IN.maxRefreshAhead),
				pick(own.getExpiryMargin(), defaults.getExpiryMargin(), BUILT_IN.expiryMargin),
				pick(own.getJitter(), defaults.getJitter(), BUILT_IN.jitter),
				pick(own.getDefaultLifetime(), defaults.getDefaultLifetime(), BUILT_IN.defaultLifetime),
				pick(own.getMaxLifetime(), defaults.getMaxLifetime(), BUILT_IN.maxLifetime),
				pick(own.getFailureCooldown(), defaults.getFailureCooldown(), BUILT_IN.failureCooldown),
				pick(own.getIdleTimeout(), defaults.getIdleTimeout(), BUILT_IN.idleTimeout),
				pick(own.getMaxCallerWait(), defaults.getMaxCallerWait(), BUILT_IN.maxCallerWait));
	}

	static <T> T pick(@Nullable T own, @Nullable T inherited, T builtIn) {
		if (own != null) {
			return own;
		}
		return (inherited != null) ? inherited : builtIn;
	}

}
