package dev.tokenstarter.grant;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * No token could be obtained from a provider. Names the provider, the error code and the provider's
 * description; never a secret or token value.
 */
public class TokenAcquisitionException extends ClientAuthorizationException {

	private final boolean transientFailure;

	public TokenAcquisitionException(String provider, String errorCode, @Nullable String description,
			boolean transientFailure, @Nullable Throwable cause) {
		super(new OAuth2Error(errorCode, description, null), provider, message(provider, errorCode, description),
				cause);
		this.transientFailure = transientFailure;
	}

	/**
	 * Wraps any failure of a token request for a provider.
	 */
	public static TokenAcquisitionException of(String provider, Throwable failure) {
		if (failure instanceof TokenAcquisitionException acquisition) {
			return acquisition;
		}
		return new TokenAcquisitionException(provider, TokenErrors.errorCode(failure), TokenErrors.description(failure),
				TokenErrors.isTransient(failure), failure);
	}

	/**
	 * Returns the same failure in a new instance, for one more caller: a failure shared by many callers would
	 * collect what each of them adds to it (suppressed exceptions, Reactor checkpoints). Subclasses return their
	 * own type.
	 * @return the copy
	 */
	public TokenAcquisitionException copy() {
		return new TokenAcquisitionException(getProvider(), getErrorCode(), getError().getDescription(),
				this.transientFailure, getCause());
	}

	private static String message(String provider, String errorCode, @Nullable String description) {
		return "Could not obtain a token from provider '" + provider + "': " + errorCode
				+ ((description != null) ? " (" + description + ")" : "");
	}

	/**
	 * Returns the provider's name.
	 */
	public String getProvider() {
		return getClientRegistrationId();
	}

	/**
	 * Returns the error code: the provider's OAuth2 error code, or {@code timeout}, {@code connection_error},
	 * {@code server_error}, {@code invalid_token_response}.
	 */
	public String getErrorCode() {
		return getError().getErrorCode();
	}

	/**
	 * Whether the failure was transient (the provider was unreachable or overloaded).
	 */
	public boolean isTransientFailure() {
		return this.transientFailure;
	}

}
