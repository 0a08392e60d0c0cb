package dev.tokenstarter.testing;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How the stub answers token requests it is told to fail (see {@link TokenProviderStub#failNext} and
 * {@link TokenProviderStub#failAll}): each in the provider's own dialect (an RFC 6749 error, or Nomba's
 * envelope with its code).
 */
public final class TokenFailure {

	private final int status;

	private final String error;

	private final Duration delay;

	private TokenFailure(int status, String error, Duration delay) {
		this.status = status;
		this.error = error;
		this.delay = delay;
	}

	/**
	 * A 503 with {@code temporarily_unavailable}: a transient failure, which the starter retries.
	 */
	public static TokenFailure serverError() {
		return status(503);
	}

	/**
	 * An answer with the given 4xx or 5xx status ({@code server_error} for a 5xx, {@code invalid_request} for a
	 * 4xx), such as 429 or 500.
	 * @param status the HTTP status
	 */
	public static TokenFailure status(int status) {
		Assert.isTrue(status >= 400 && status < 600, "status must be a 4xx or 5xx");
		String error = (status == 503) ? "temporarily_unavailable" : (status >= 500) ? "server_error"
				: "invalid_request";
		return new TokenFailure(status, error, Duration.ZERO);
	}

	/**
	 * A 401 with {@code invalid_client}: the client's credentials are refused, which the starter does not retry.
	 */
	public static TokenFailure invalidClient() {
		return new TokenFailure(401, "invalid_client", Duration.ZERO);
	}

	/**
	 * A 400 with {@code invalid_grant}: the grant (a refresh token, a user's password) is refused.
	 */
	public static TokenFailure invalidGrant() {
		return new TokenFailure(400, "invalid_grant", Duration.ZERO);
	}

	/**
	 * A successful answer, but only after {@code delay}: a provider that is slow (or, with a delay beyond the
	 * starter's request timeout, one that never answers).
	 * @param delay how long the answer takes
	 */
	public static TokenFailure slow(Duration delay) {
		Assert.notNull(delay, "delay cannot be null");
		Assert.isTrue(!delay.isNegative() && !delay.isZero(), "delay must be positive");
		return new TokenFailure(200, "", delay);
	}

	int status() {
		return this.status;
	}

	String error() {
		return this.error;
	}

	Duration delay() {
		return this.delay;
	}

	boolean answersToken() {
		return this.status == 200;
	}

	@Override
	public String toString() {
		return answersToken() ? "slow(" + this.delay + ")" : this.status + " " + this.error;
	}

}
