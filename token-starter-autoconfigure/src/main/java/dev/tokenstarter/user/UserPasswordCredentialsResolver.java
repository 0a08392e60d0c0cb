package dev.tokenstarter.user;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.util.Assert;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.grant.PasswordCredentials;
import dev.tokenstarter.grant.PasswordCredentialsResolver;

/**
 * Answers the password grant of a user's key with the credentials the user signed in with on this instance, and
 * the provider's own user (the application key) through {@code delegate}. A user's key never gets the
 * delegate's credentials: those are another user's, whose session the user's token would take. Without the
 * user's credentials the grant fails with {@link SignInRequiredException}.
 */
public final class UserPasswordCredentialsResolver implements PasswordCredentialsResolver {

	private final SignedInUsers users;

	private final PasswordCredentialsResolver delegate;

	public UserPasswordCredentialsResolver(SignedInUsers users, PasswordCredentialsResolver delegate) {
		Assert.notNull(users, "users must not be null");
		Assert.notNull(delegate, "delegate must not be null");
		this.users = users;
		this.delegate = delegate;
	}

	@Override
	public Mono<PasswordCredentials> resolve(ClientRegistration registration, Authentication principal) {
		if (!(principal.getDetails() instanceof TokenKey key) || key.principal() == null) {
			return this.delegate.resolve(registration, principal);
		}
		String registrationId = registration.getRegistrationId();
		PasswordCredentials credentials = this.users.send(registrationId, key.principal());
		return (credentials != null) ? Mono.just(credentials)
				: Mono.error(() -> new SignInRequiredException(registrationId));
	}

	/**
	 * Drops a user's refused credentials (the password changed, or the sign-in was wrong): the next renewal
	 * asks the user to sign in instead of offering them again.
	 */
	@Override
	public void refused(ClientRegistration registration, Authentication principal, PasswordCredentials credentials) {
		if (principal.getDetails() instanceof TokenKey key && key.principal() != null) {
			this.users.drop(registration.getRegistrationId(), credentials);
		}
		else {
			this.delegate.refused(registration, principal, credentials);
		}
	}

}
