package dev.tokenstarter.grant;

import java.time.Duration;
import java.util.Objects;

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
		if (secret == null || secret.isEmpty()) {
			return this;
		}
		String code = getError().getErrorCode();
		String description = getError().getDescription();
		String maskedCode = mask(code, secret);
		String maskedDescription = (description != null) ? mask(description, secret) : null;
		if (maskedCode.equals(code) && Objects.equals(maskedDescription, description)) {
			return this;
		}
		return new TokenEndpointException(this.status, maskedCode, maskedDescription, this.retryAfter);
	}

	/**
	 * Masks every whole secret in a provider's text, and the start of one where the text was cut
	 * ({@link TokenResponseParser#sanitize}), however short: any part of a secret helps guess it.
	 */
	private static String mask(String text, String secret) {
		String masked = text.replace(secret, Secrets.MASK);
		if (!masked.endsWith(TokenResponseParser.CUT)) {
			return masked;
		}
		String kept = masked.substring(0, masked.length() - TokenResponseParser.CUT.length());
		for (int length = Math.min(secret.length() - 1, kept.length()); length > 0; length--) {
			if (kept.endsWith(secret.substring(0, length))) {
				return kept.substring(0, kept.length() - length) + Secrets.MASK + TokenResponseParser.CUT;
			}
		}
		return masked;
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
