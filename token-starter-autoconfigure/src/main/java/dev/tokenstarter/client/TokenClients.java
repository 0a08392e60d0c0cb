package dev.tokenstarter.client;

import java.time.Duration;

import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.ssl.ProviderSslContexts;

/**
 * Builds HTTP clients whose every request carries a provider's token: {@code WebClient}s and
 * {@code RestClient}s starting at the provider's {@code base-url}, or the bare filter and interceptor for
 * builders of one's own.
 */
public class TokenClients {

	/**
	 * Beyond the engine's own bound on callers ({@code refresh.max-caller-wait}), so that the engine's clearer
	 * timeout is the one callers see.
	 */
	private static final Duration WAIT_MARGIN = Duration.ofSeconds(1);

	private final TokenManager tokenManager;

	private final TokenSettings settings;

	private final ReactiveClientRegistrationRepository registrations;

	private final ObjectProvider<WebClient.Builder> webClientBuilders;

	private final ObjectProvider<RestClient.Builder> restClientBuilders;

	private final ProviderSslContexts sslContexts;

	public TokenClients(TokenManager tokenManager, TokenSettings settings,
			ReactiveClientRegistrationRepository registrations, ObjectProvider<WebClient.Builder> webClientBuilders,
			ObjectProvider<RestClient.Builder> restClientBuilders, ProviderSslContexts sslContexts) {
		this.tokenManager = tokenManager;
		this.settings = settings;
		this.registrations = registrations;
		this.webClientBuilders = webClientBuilders;
		this.restClientBuilders = restClientBuilders;
		this.sslContexts = sslContexts;
	}

	/**
	 * Returns a {@code WebClient} for the provider's API: the application's {@code WebClient.Builder}, the
	 * provider's {@code base-url}, its {@code ssl-bundle} (client certificate) when it has one, and the token
	 * filter.
	 * @param provider the provider's name
	 * @return a new WebClient
	 */
	public WebClient webClient(String provider) {
		ProviderSettings providerSettings = known(provider);
		WebClient.Builder builder = this.webClientBuilders.getIfAvailable(WebClient::builder).filter(filter(provider));
		if (this.sslContexts.hasBundle(provider)) {
			builder.clientConnector(new ReactorClientHttpConnector(this.sslContexts.secure(provider, HttpClient.create())));
		}
		if (providerSettings.baseUrl() != null) {
			builder.baseUrl(providerSettings.baseUrl());
		}
		return builder.build();
	}

	/**
	 * Returns the token filter of a provider, for a {@code WebClient.Builder} of one's own.
	 * @param provider the provider's name
	 * @return a new filter
	 */
	public TokenExchangeFilterFunction filter(String provider) {
		ProviderSettings providerSettings = known(provider);
		return new TokenExchangeFilterFunction(this.tokenManager, provider, providerSettings.unauthorizedStatuses(),
				providerSettings.apiHeaders());
	}

	/**
	 * Returns a {@code RestClient} for the provider's API: the application's {@code RestClient.Builder}, the
	 * provider's {@code base-url}, its {@code ssl-bundle} (client certificate, on Reactor Netty) when it has one,
	 * and the token interceptor.
	 * @param provider the provider's name
	 * @return a new RestClient
	 */
	public RestClient restClient(String provider) {
		ProviderSettings providerSettings = known(provider);
		RestClient.Builder builder = this.restClientBuilders.getIfAvailable(RestClient::builder)
			.requestInterceptor(interceptor(provider));
		if (this.sslContexts.hasBundle(provider)) {
			builder.requestFactory(new ReactorClientHttpRequestFactory(this.sslContexts.secure(provider, HttpClient.create())));
		}
		if (providerSettings.baseUrl() != null) {
			builder.baseUrl(providerSettings.baseUrl());
		}
		return builder.build();
	}

	/**
	 * Returns the token interceptor of a provider, for a {@code RestClient.Builder} of one's own.
	 * @param provider the provider's name
	 * @return a new interceptor
	 */
	public TokenClientHttpRequestInterceptor interceptor(String provider) {
		ProviderSettings providerSettings = known(provider);
		return new TokenClientHttpRequestInterceptor(this.tokenManager, provider,
				providerSettings.unauthorizedStatuses(), providerSettings.refresh().maxCallerWait().plus(WAIT_MARGIN),
				providerSettings.apiHeaders());
	}

	private ProviderSettings known(String provider) {
		// A provider with an issuer-uri is known by name: looking it up would discover it, at start-up.
		boolean configured = this.registrations instanceof TokenClientRegistrationRepository tokenRegistrations
				&& tokenRegistrations.isConfigured(provider);
		if (!configured && this.registrations.findByRegistrationId(provider).blockOptional().isEmpty()) {
			throw new IllegalArgumentException("No token provider named '" + provider
					+ "': configure token.providers." + provider + " (or a spring.security.oauth2.client registration)");
		}
		return this.settings.provider(provider);
	}

}
