package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

/**
 * Supplies the username and password a password-grant registration signs in with, each time one is needed, so
 * the password never has to be kept with the token. Declare a bean to take them from a vault instead of
 * {@code token.providers.<name>.username/password}.
 */
@FunctionalInterface
public interface PasswordCredentialsResolver {

	/**
	 * Returns the credentials for a registration and principal.
	 * @param registration the client registration
	 * @param principal whom the token is for
	 * @return the credentials, or empty when there are none
	 */
	Mono<PasswordCredentials> resolve(ClientRegistration registration, Authentication principal);

	/**
	 * Hears that the provider refused credentials this resolver supplied ({@code invalid_grant}), so that a
	 * resolver holding them stops offering them: asking again with a wrong password only locks the account.
	 * @param registration the client registration
	 * @param principal whom the token was for
	 * @param credentials the refused credentials
	 */
	default void refused(ClientRegistration registration, Authentication principal, PasswordCredentials credentials) {
	}

}
