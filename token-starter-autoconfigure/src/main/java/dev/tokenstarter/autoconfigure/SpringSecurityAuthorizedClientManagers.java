package dev.tokenstarter.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.oauth2.client.AuthorizationCodeOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.DelegatingOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.RefreshTokenOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;

/**
 * The blocking manager Spring Security's {@code OAuth2ClientConfiguration} would register, for the registrations
 * the engine does not serve: once the engine's manager is a bean, Security registers none. Built from the same
 * parts, so that an application's customizations still apply: its {@link OAuth2AuthorizedClientProvider} beans (a
 * single delegating one as it is; one of Security's own kinds in place of the standard one; others after them),
 * its refresh-token and client-credentials token response clients, and its
 * {@code Consumer<DefaultOAuth2AuthorizedClientManager>}. Unlike Security, it adds a JWT bearer or token exchange
 * provider only when the application declares that provider as a bean, not for a token response client of that
 * grant alone.
 */
final class SpringSecurityAuthorizedClientManagers {

	private SpringSecurityAuthorizedClientManagers() {
	}

	/**
	 * Builds Spring Security's default blocking manager.
	 * @param registrations the application's registrations
	 * @param authorizedClients the application's authorized clients
	 * @param providers the application's authorized-client providers
	 * @param refreshTokenClient the application's refresh-token response client, or null
	 * @param clientCredentialsClient the application's client-credentials response client, or null
	 * @param customizer the application's customizer of the manager, or null
	 * @param events where refreshed clients are announced (Security refreshes OIDC logins' ID tokens on it)
	 * @return the manager
	 */
	static OAuth2AuthorizedClientManager standard(ClientRegistrationRepository registrations,
			OAuth2AuthorizedClientRepository authorizedClients, List<OAuth2AuthorizedClientProvider> providers,
			@Nullable OAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> refreshTokenClient,
			@Nullable OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> clientCredentialsClient,
			@Nullable Consumer<DefaultOAuth2AuthorizedClientManager> customizer, ApplicationEventPublisher events) {
		DefaultOAuth2AuthorizedClientManager manager = new DefaultOAuth2AuthorizedClientManager(registrations,
				authorizedClients);
		manager.setAuthorizedClientProvider(
				provider(providers, refreshTokenClient, clientCredentialsClient, events));
		if (customizer != null) {
			customizer.accept(manager);
		}
		return manager;
	}

	private static OAuth2AuthorizedClientProvider provider(List<OAuth2AuthorizedClientProvider> own,
			@Nullable OAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> refreshTokenClient,
			@Nullable OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> clientCredentialsClient,
			ApplicationEventPublisher events) {
		if (own.size() == 1 && own.get(0) instanceof DelegatingOAuth2AuthorizedClientProvider delegating) {
			return delegating;
		}
		List<OAuth2AuthorizedClientProvider> remaining = new ArrayList<>(own);
		List<OAuth2AuthorizedClientProvider> chain = new ArrayList<>();
		chain.add(take(remaining, AuthorizationCodeOAuth2AuthorizedClientProvider.class,
				AuthorizationCodeOAuth2AuthorizedClientProvider::new));
		chain.add(take(remaining, RefreshTokenOAuth2AuthorizedClientProvider.class, () -> {
			RefreshTokenOAuth2AuthorizedClientProvider refreshToken = new RefreshTokenOAuth2AuthorizedClientProvider();
			if (refreshTokenClient != null) {
				refreshToken.setAccessTokenResponseClient(refreshTokenClient);
			}
			refreshToken.setApplicationEventPublisher(events);
			return refreshToken;
		}));
		chain.add(take(remaining, ClientCredentialsOAuth2AuthorizedClientProvider.class, () -> {
			ClientCredentialsOAuth2AuthorizedClientProvider clientCredentials = new ClientCredentialsOAuth2AuthorizedClientProvider();
			if (clientCredentialsClient != null) {
				clientCredentials.setAccessTokenResponseClient(clientCredentialsClient);
			}
			return clientCredentials;
		}));
		chain.addAll(remaining);
		return new DelegatingOAuth2AuthorizedClientProvider(chain);
	}

	/**
	 * Takes the application's provider of a kind out of {@code remaining}, or makes the standard one.
	 */
	private static <T extends OAuth2AuthorizedClientProvider> OAuth2AuthorizedClientProvider take(
			List<OAuth2AuthorizedClientProvider> remaining, Class<T> kind, Supplier<T> standard) {
		for (OAuth2AuthorizedClientProvider provider : remaining) {
			if (kind.isInstance(provider)) {
				remaining.remove(provider);
				return provider;
			}
		}
		return standard.get();
	}

}
