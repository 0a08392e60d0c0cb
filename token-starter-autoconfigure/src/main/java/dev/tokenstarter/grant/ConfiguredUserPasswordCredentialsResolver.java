package dev.tokenstarter.grant;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.util.Assert;

/**
 * Lets through only the credentials of the user a provider is configured to sign in as
 * ({@code token.providers.<name>.username}). A provider's tokens are stored under a name made from that user, so
 * a resolver answering for someone else would have another user's tokens stored, shared and reused as the
 * configured user's: such credentials fail the token request before it is sent.
 */
public final class ConfiguredUserPasswordCredentialsResolver implements PasswordCredentialsResolver {

	private final PasswordCredentialsResolver delegate;

	private final Function<String, @Nullable String> configuredUsers;

	/**
	 * Creates a resolver checking what {@code delegate} answers.
	 * @param delegate the resolver that supplies the credentials
	 * @param configuredUsers the configured username of a registration id, or null when it has none
	 */
	public ConfiguredUserPasswordCredentialsResolver(PasswordCredentialsResolver delegate,
			Function<String, @Nullable String> configuredUsers) {
		Assert.notNull(delegate, "delegate cannot be null");
		Assert.notNull(configuredUsers, "configuredUsers cannot be null");
		this.delegate = delegate;
		this.configuredUsers = configuredUsers;
	}

	@Override
	public void refused(ClientRegistration registration, Authentication principal, PasswordCredentials credentials) {
		this.delegate.refused(registration, principal, credentials);
	}

	@Override
	public Mono<PasswordCredentials> resolve(ClientRegistration registration, Authentication principal) {
		String registrationId = registration.getRegistrationId();
		String configured = this.configuredUsers.apply(registrationId);
		if (configured == null) {
			return this.delegate.resolve(registration, principal);
		}
		return this.delegate.resolve(registration, principal).flatMap((credentials) -> {
			if (configured.equals(credentials.username())) {
				return Mono.just(credentials);
			}
			// Neither username is named: the message may reach logs that should not learn who signs in where.
			return Mono.error(new TokenAcquisitionException(registrationId, "unexpected_user",
					"the PasswordCredentialsResolver answered for another user than token.providers." + registrationId
							+ ".username; set that property to the user the tokens are for",
					false, null));
		});
	}

}
