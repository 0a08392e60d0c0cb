package dev.tokenstarter.config;

import java.util.ArrayList;
import java.util.List;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

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
			.clientAuthenticationMethod(clientAuthentication(provider))
			.authorizationGrantType(provider.grantTypeOrDefault().toAuthorizationGrantType())
			.tokenUri(ProviderEndpoints.of(provider).tokenUri())
			.scope(provider.getScopes())
			.clientName(name)
			.build()));
		return registrations;
	}

	/**
	 * Nomba takes the client id and secret in its JSON body, which is what client_secret_post says.
	 */
	private static ClientAuthenticationMethod clientAuthentication(TokenProperties.Provider provider) {
		if (provider.getType() == ProviderType.NOMBA) {
			return ClientAuthenticationMethod.CLIENT_SECRET_POST;
		}
		return provider.getClientAuthentication().toClientAuthenticationMethod();
	}

}
