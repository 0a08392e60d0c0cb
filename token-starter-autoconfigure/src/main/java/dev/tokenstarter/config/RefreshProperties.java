package dev.tokenstarter.config;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * When tokens are renewed. Every field left unset inherits {@code token.defaults.refresh.*}, then the built-in
 * default named in its description.
 */
public class RefreshProperties {

	/**
	 * Share of a token's lifetime, before expiry, in which it counts as stale: it is still served, and one
	 * background renewal starts. Default 0.25, so a 300 s token is renewed about 75 s before it expires.
	 */
	private @Nullable Double refreshAheadRatio;

	/**
	 * Upper bound of the stale window, so long-lived tokens are not renewed too early. Default 5m.
	 */
	private @Nullable Duration maxRefreshAhead;

	/**
	 * Safety margin before expiry under which a token is no longer served and callers wait for a new one.
	 * Capped at a tenth of the token's lifetime so short-lived tokens stay usable. Default 10s.
	 */
	private @Nullable Duration expiryMargin;

	/**
	 * Random share of the stale window by which each token's renewal point is moved earlier, so instances and
	 * providers do not renew in lock-step. Default 0.1.
	 */
	private @Nullable Double jitter;

	/**
	 * Lifetime assumed for a token whose response has no expires_in and whose value is not a JWT with an exp
	 * claim: at least 1s and no longer than max-lifetime. Default 5m.
	 */
	private @Nullable Duration defaultLifetime;

	/**
	 * Longest lifetime a token is held for: a larger expires_in, or a JWT's later exp, is cut to it. At least 1s
	 * and no shorter than default-lifetime. Default 30d.
	 */
	private @Nullable Duration maxLifetime;

	/**
	 * After a failed renewal, how long callers with no valid token fail fast with the last error instead of
	 * sending another token request. A provider that asked for a longer wait in {@code Retry-After} (a 429 or 503
	 * the retries could not wait out) is left alone that long instead, up to 5 minutes. Default 5s.
	 */
	private @Nullable Duration failureCooldown;

	/**
	 * Providers not used for this long are no longer renewed in the background; the next call renews on
	 * demand. Default 30m.
	 */
	private @Nullable Duration idleTimeout;

	/**
	 * Longest a caller waits for a token that must be renewed first; it then fails with a
	 * TokenAcquisitionException while the token request goes on for later callers, so a provider that accepts
	 * connections and never answers holds no request thread for the whole retry budget. Default 5s.
	 */
	private @Nullable Duration maxCallerWait;

	public @Nullable Double getRefreshAheadRatio() {
		return this.refreshAheadRatio;
	}

	public void setRefreshAheadRatio(@Nullable Double refreshAheadRatio) {
		this.refreshAheadRatio = refreshAheadRatio;
	}

	public @Nullable Duration getMaxRefreshAhead() {
		return this.maxRefreshAhead;
	}

	public void setMaxRefreshAhead(@Nullable Duration maxRefreshAhead) {
		this.maxRefreshAhead = maxRefreshAhead;
	}

	public @Nullable Duration getExpiryMargin() {
		return this.expiryMargin;
	}

	public void setExpiryMargin(@Nullable Duration expiryMargin) {
		this.expiryMargin = expiryMargin;
	}

	public @Nullable Double getJitter() {
		return this.jitter;
	}

	public void setJitter(@Nullable Double jitter) {
		this.jitter = jitter;
	}

	public @Nullable Duration getDefaultLifetime() {
		return this.defaultLifetime;
	}

	public void setDefaultLifetime(@Nullable Duration defaultLifetime) {
		this.defaultLifetime = defaultLifetime;
	}

	public @Nullable Duration getMaxLifetime() {
		return this.maxLifetime;
	}

	public void setMaxLifetime(@Nullable Duration maxLifetime) {
		this.maxLifetime = maxLifetime;
	}

	public @Nullable Duration getFailureCooldown() {
		return this.failureCooldown;
	}

	public void setFailureCooldown(@Nullable Duration failureCooldown) {
		this.failureCooldown = failureCooldown;
	}

	public @Nullable Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(@Nullable Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public @Nullable Duration getMaxCallerWait() {
		return this.maxCallerWait;
	}

	public void setMaxCallerWait(@Nullable Duration maxCallerWait) {
		this.maxCallerWait = maxCallerWait;
	}

}
