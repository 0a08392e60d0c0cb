package dev.tokenstarter.config;

import java.util.ArrayList;
import java.util.List;

import org.springframework.security.oauth2.client.registration.ClientRegistration;

/**
 * Turns each {@code token.providers} entry into a Spring Security {@link ClientRegistration} whose id is the
 * provider's name.
 */
public final class ProviderClientRegistrations {

	private ProviderClientRegistrations() {
	}

	/**
	 * Builds the registrations of every configured provider, in configuration order.
	 * @param properties validated token properties
	 * @return the registrations
	 */
	public static List<ClientRegistration> of(TokenProperties properties) {
		List<ClientRegistration> registrations = new ArrayList<>();
		properties.getProviders().forEach((name, provider) -> registrations.add(ClientRegistration.withRegistrationId(name)
			.clientId(provider.getClientId())
			.clientSecret(provider.getClientSecret())
			.clientAuthenticationMethod(provider.getClientAuthentication().toClientAuthenticationMethod())
			.authorizationGrantType(provider.grantTypeOrDefault().toAuthorizationGrantType())
			.tokenUri(provider.getTokenUri())
			.scope(provider.getScopes())
			.clientName(name)
			.build()));
		return registrations;
	}

}
