package dev.tokenstarter.testing;

import java.time.Instant;

/**
 * A token request the stub answered (refusals included), in the order they came.
 *
 * @param provider the name the application knows the provider by ({@code token.providers.<name>} or the Spring
 * Security registration id), or the endpoint's path when no configured client was recognised
 * @param grantType the {@code grant_type} asked for, such as {@code client_credentials} or
 * {@code refresh_token}, or an empty string when none was given
 * @param status the HTTP status answered
 * @param time when the request came, by the stub's clock
 */
public record TokenRequest(String provider, String grantType, int status, Instant time) {

	/**
	 * Returns whether a token was issued.
	 */
	public boolean granted() {
		return this.status == 200;
	}

}
