package dev.tokenstarter.engine;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

import dev.tokenstarter.grant.TokenErrors;

/**
 * The keys of users' login sessions (authorization code grant): one per registration and signed-in user, stored
 * under the user's name, which is where Spring Security's login saves the user's authorized client.
 */
final class LoginKeys {

	private LoginKeys() {
	}

	/**
	 * Whether a registration's tokens come from users' logins.
	 */
	static boolean isLogin(ClientRegistration registration) {
		return AuthorizationGrantType.AUTHORIZATION_CODE.equals(registration.getAuthorizationGrantType());
	}

	/**
	 * Returns the key of a user's login session, or null when nobody is signed in: Spring Security keeps an
	 * anonymous user's authorized clients in the HTTP session, not in the authorized-client service.
	 * @param registrationId the login's registration
	 * @param principal the request's principal
	 * @return the user's key, or null
	 */
	static @Nullable TokenKey user(String registrationId, @Nullable Authentication principal) {
		if (principal == null || principal instanceof AnonymousAuthenticationToken || !principal.isAuthenticated()) {
			return null;
		}
		return TokenKey.forProvider(registrationId).principal(principal.getName()).build();
	}

	/**
	 * Turns a failure that only the user can mend into the exception with which Spring Security's
	 * {@code OAuth2AuthorizationRequestRedirectFilter} (and its reactive twin) sends the user to the provider's
	 * authorization endpoint; other failures stay as they are.
	 * @param registrationId the login's registration
	 * @param failure the renewal's failure
	 * @return the failure for the caller
	 */
	static Throwable forCaller(String registrationId, Throwable failure) {
		if (!TokenErrors.requiresLogin(failure)) {
			return failure;
		}
		ClientAuthorizationRequiredException required = new ClientAuthorizationRequiredException(registrationId);
		required.initCause(failure);
		return required;
	}

}
