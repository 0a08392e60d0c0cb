package dev.tokenstarter.client;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.util.Assert;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.ssl.DpopProofs;
import dev.tokenstarter.ssl.ProviderSslContexts;

/**
 * Builds HTTP clients whose every request carries a provider's token: {@code WebClient}s and
 * {@code RestClient}s starting at the provider's {@code base-url}, or the bare filter and interceptor for
 * builders of one's own. The clients are the application's: built from its auto-configured builders, with its
 * HTTP client library and {@code spring.http.clients.*} settings.
 */
public class TokenClients {

	private final TokenManager tokenManager;

	private final TokenSettings settings;

	private final ProviderApis providers;

	private final ObjectProvider<WebClient.Builder> webClientBuilders;

	private final ObjectProvider<RestClient.Builder> restClientBuilders;

	private final ProviderSslContexts sslContexts;

	private final ApplicationHttpClients httpClients;

	public TokenClients(TokenManager tokenManager, TokenSettings settings,
			ReactiveClientRegistrationRepository registrations, ObjectProvider<WebClient.Builder> webClientBuilders,
			ObjectProvider<RestClient.Builder> restClientBuilders, ProviderSslContexts sslContexts,
			ApplicationHttpClients httpClients, DpopProofs dpopProofs) {
		Assert.notNull(tokenManager, "tokenManager cannot be null");
		Assert.notNull(webClientBuilders, "webClientBuilders cannot be null");
		Assert.notNull(restClientBuilders, "restClientBuilders cannot be null");
		Assert.notNull(sslContexts, "sslContexts cannot be null");
		Assert.notNull(httpClients, "httpClients cannot be null");
		this.tokenManager = tokenManager;
		this.settings = settings;
		this.providers = new ProviderApis(settings, registrations, dpopProofs);
		this.webClientBuilders = webClientBuilders;
		this.restClientBuilders = restClientBuilders;
		this.sslContexts = sslContexts;
		this.httpClients = httpClients;
	}

	/**
	 * Returns a {@code WebClient} for the provider's API: the application's {@code WebClient.Builder}, the
	 * provider's {@code base-url}, its {@code ssl-bundle} (client certificate) when it has one, and the token
	 * filter.
	 * @param provider the provider's name
	 * @return a new WebClient
	 */
	public WebClient webClient(String provider) {
		// A copy: the application's builder may be a singleton (a load-balanced one, say), and every client it
		// builds afterwards, for any API, would carry this provider's filter, base URL and connector.
		WebClient.Builder builder = this.webClientBuilders.getIfAvailable(WebClient::builder)
			.clone()
			.filter(filter(provider));
		SslBundle sslBundle = this.sslContexts.bundle(provider);
		if (sslBundle != null) {
			builder.clientConnector(this.httpClients.connector(this.httpClients.withSslBundle(sslBundle)));
		}
		String baseUrl = baseUrl(provider);
		if (baseUrl != null) {
			builder.baseUrl(baseUrl);
		}
		return builder.build();
	}

	/**
	 * Returns the token filter of a provider, for a {@code WebClient.Builder} of one's own. A request that names
	 * another registration the engine serves ({@code @ClientRegistrationId}) gets that one's token instead.
	 * @param provider the provider's name
	 * @return a new filter
	 */
	public TokenExchangeFilterFunction filter(String provider) {
		return new TokenExchangeFilterFunction(this.tokenManager,
				new ProviderRouting(this.providers.require(provider), this.providers));
	}

	/**
	 * Returns a {@code RestClient} for the provider's API: the application's {@code RestClient.Builder}, the
	 * provider's {@code base-url}, its {@code ssl-bundle} (client certificate) when it has one, and the token
	 * interceptor.
	 * @param provider the provider's name
	 * @return a new RestClient
	 */
	public RestClient restClient(String provider) {
		// A copy, as for a WebClient.
		RestClient.Builder builder = this.restClientBuilders.getIfAvailable(RestClient::builder)
			.clone()
			.requestInterceptor(interceptor(provider));
		SslBundle sslBundle = this.sslContexts.bundle(provider);
		if (sslBundle != null) {
			builder.requestFactory(this.httpClients.requestFactory(this.httpClients.withSslBundle(sslBundle)));
		}
		String baseUrl = baseUrl(provider);
		if (baseUrl != null) {
			builder.baseUrl(baseUrl);
		}
		return builder.build();
	}

	/**
	 * Returns the token interceptor of a provider, for a {@code RestClient.Builder} of one's own. A request that
	 * names another registration the engine serves ({@code @ClientRegistrationId}) gets that one's token instead.
	 * @param provider the provider's name
	 * @return a new interceptor
	 */
	public TokenClientHttpRequestInterceptor interceptor(String provider) {
		return new TokenClientHttpRequestInterceptor(this.tokenManager,
				new ProviderRouting(this.providers.require(provider), this.providers));
	}

	/**
	 * Returns a filter for requests that name their registration ({@code @ClientRegistrationId}); others pass.
	 */
	TokenExchangeFilterFunction selectingFilter() {
		return new TokenExchangeFilterFunction(this.tokenManager, new ProviderRouting(null, this.providers));
	}

	/**
	 * Returns an interceptor for requests that name their registration ({@code @ClientRegistrationId}); others
	 * pass.
	 */
	TokenClientHttpRequestInterceptor selectingInterceptor() {
		return new TokenClientHttpRequestInterceptor(this.tokenManager, new ProviderRouting(null, this.providers));
	}

	/**
	 * Whether the engine serves the tokens of a registration.
	 */
	boolean serves(String registrationId) {
		return this.providers.find(registrationId) != null;
	}

	@Nullable String baseUrl(String provider) {
		return this.settings.provider(provider).baseUrl();
	}

	@Nullable SslBundle sslBundle(String provider) {
		return this.sslContexts.bundle(provider);
	}

	/**
	 * The name of the SSL bundle a provider's connections use, or null when they use the client's defaults.
	 */
	@Nullable String sslBundleName(String provider) {
		return (this.sslContexts.bundle(provider) != null) ? this.settings.provider(provider).sslBundle() : null;
	}

	ApplicationHttpClients httpClients() {
		return this.httpClients;
	}

}
