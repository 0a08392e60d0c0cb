package dev.tokenstarter.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;

import dev.tokenstarter.client.ApplicationHttpClients;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.client.TokenRestClientHttpServiceGroupConfigurer;
import dev.tokenstarter.client.TokenWebClientHttpServiceGroupConfigurer;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.ssl.DpopProofs;
import dev.tokenstarter.ssl.ProviderSslContexts;

/**
 * {@link TokenClients}: token-carrying {@code WebClient}s and {@code RestClient}s built from the application's
 * auto-configured builders, HTTP client library and settings; and, when the application declares HTTP service
 * groups ({@code @ImportHttpServices}), the tokens of the groups named after a provider and of the calls that
 * name their registration with {@code @ClientRegistrationId}. Runs after Spring Boot's HTTP client
 * auto-configurations, whose builders and settings it uses.
 */
@AutoConfiguration(after = TokenEngineAutoConfiguration.class,
		afterName = { "org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration",
				"org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
				"org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration",
				"org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration",
				"org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration" })
@ConditionalOnBean(TokenManager.class)
public final class TokenClientsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ApplicationHttpClients tokenApplicationHttpClients(
			ObjectProvider<ClientHttpRequestFactoryBuilder<?>> requestFactoryBuilder,
			ObjectProvider<ClientHttpConnectorBuilder<?>> connectorBuilder, ObjectProvider<HttpClientSettings> settings,
			ObjectProvider<SslBundles> sslBundles, ResourceLoader resourceLoader) {
		return new ApplicationHttpClients(requestFactoryBuilder, connectorBuilder, settings, sslBundles,
				resourceLoader.getClassLoader());
	}

	@Bean
	@ConditionalOnMissingBean
	TokenClients tokenClients(TokenManager tokenManager, TokenSettings settings,
			TokenClientRegistrationRepository registrations, ObjectProvider<WebClient.Builder> webClientBuilders,
			ObjectProvider<RestClient.Builder> restClientBuilders, ProviderSslContexts sslContexts,
			ApplicationHttpClients httpClients, DpopProofs dpopProofs) {
		return new TokenClients(tokenManager, settings, registrations, webClientBuilders, restClientBuilders,
				sslContexts, httpClients, dpopProofs);
	}

	/**
	 * The tokens of {@code RestClient} HTTP service groups.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RestClientHttpServiceGroupConfigurer.class)
	@ConditionalOnBean(HttpServiceProxyRegistry.class)
	static class RestClientGroups {

		@Bean
		@ConditionalOnMissingBean
		TokenRestClientHttpServiceGroupConfigurer tokenRestClientHttpServiceGroupConfigurer(TokenClients clients,
				ObjectProvider<HttpServiceClientProperties> groupProperties) {
			return new TokenRestClientHttpServiceGroupConfigurer(clients, groupProperties);
		}

	}

	/**
	 * The tokens of {@code WebClient} HTTP service groups.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebClientHttpServiceGroupConfigurer.class)
	@ConditionalOnBean(HttpServiceProxyRegistry.class)
	static class WebClientGroups {

		@Bean
		@ConditionalOnMissingBean
		TokenWebClientHttpServiceGroupConfigurer tokenWebClientHttpServiceGroupConfigurer(TokenClients clients,
				ObjectProvider<HttpServiceClientProperties> groupProperties) {
			return new TokenWebClientHttpServiceGroupConfigurer(clients, groupProperties);
		}

	}

}
