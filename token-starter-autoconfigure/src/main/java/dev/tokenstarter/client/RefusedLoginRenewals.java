package dev.tokenstarter.client;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.web.util.ThrowableAnalyzer;

/**
 * Tells, for both stacks' logout filters, whether a failure is a login renewal the provider refused for a
 * registration with {@code on-refresh-failure: logout}: Spring's {@link ClientAuthorizationRequiredException},
 * however wrapped, of that registration, and which signed-in user it logs out (only one who logged in with it).
 */
final class RefusedLoginRenewals {

	private final ThrowableAnalyzer throwables = new ThrowableAnalyzer();

	private final Set<String> registrationIds;

	RefusedLoginRenewals(Set<String> registrationIds) {
		this.registrationIds = Set.copyOf(registrationIds);
	}

	/**
	 * Returns the user to log out for a failure, or null when the failure is not a refused renewal of a
	 * registration that logs users out, or the user did not log in with it.
	 * @param failure what the request failed with
	 * @param user the signed-in user, or null
	 */
	@Nullable OAuth2AuthenticationToken userToLogOut(Throwable failure, @Nullable Authentication user) {
		Throwable required = this.throwables.getFirstThrowableOfType(ClientAuthorizationRequiredException.class,
				this.throwables.determineCauseChain(failure));
		if (!(required instanceof ClientAuthorizationRequiredException refused)
				|| !this.registrationIds.contains(refused.getClientRegistrationId())) {
			return null;
		}
		return (user instanceof OAuth2AuthenticationToken login
				&& login.getAuthorizedClientRegistrationId().equals(refused.getClientRegistrationId())) ? login : null;
	}

}
