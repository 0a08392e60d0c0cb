package dev.tokenstarter.grant;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;

import dev.tokenstarter.config.Secrets;

/**
 * A token endpoint answered with an error or with something that is not a usable token. Carries what the retry
 * decision needs: the HTTP status and the server's {@code Retry-After}.
 */
public class TokenEndpointException extends OAuth2AuthorizationException {

	/** Error code for a response that is not a valid token response. */
	public static final String INVALID_TOKEN_RESPONSE = "invalid_token_response";

	private final int status;

	private final @Nullable Duration retryAfter;

	public TokenEndpointException(int status, String errorCode, @Nullable String description,
			@Nullable Duration retryAfter) {
		super(new OAuth2Error(errorCode, description, null),
				"Token endpoint answered HTTP " + status + ": " + errorCode
						+ ((description != null) ? " (" + description + ")" : ""));
		this.status = status;
		this.retryAfter = retryAfter;
	}

	static TokenEndpointException invalidResponse(int status, String description) {
		return new TokenEndpointException(status, INVALID_TOKEN_RESPONSE, description, null);
	}

	/**
	 * Returns this error with a secret masked wherever the provider's text repeated it.
	 * @param secret the secret, or null
	 * @return this error, or a copy without the secret
	 */
	TokenEndpointException masking(@Nullable String secret) {
		String code = getError().getErrorCode();
		String description = getError().getDescription();
		if (secret == null || secret.isEmpty()
				|| !(code.contains(secret) || (description != null && description.contains(secret)))) {
			return this;
		}
		return new TokenEndpointException(this.status, code.replace(secret, Secrets.MASK),
				(description != null) ? description.replace(secret, Secrets.MASK) : null, this.retryAfter);
	}

	/**
	 * Returns the HTTP status of the token endpoint's answer.
	 * @return the status code
	 */
	public int getStatus() {
		return this.status;
	}

	/**
	 * Returns the delay the server asked for before the next attempt, if it gave one.
	 * @return the delay or null
	 */
	public @Nullable Duration getRetryAfter() {
		return this.retryAfter;
	}

}
