package dev.tokenstarter.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.ssl.ProviderSslContexts;

/**
 * {@link TokenClients}: token-carrying {@code WebClient}s and {@code RestClient}s built from the application's
 * auto-configured builders when they exist.
 */
@AutoConfiguration(after = TokenEngineAutoConfiguration.class,
		afterName = { "org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration",
				"org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration" })
@ConditionalOnBean(TokenManager.class)
public class TokenClientsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TokenClients tokenClients(TokenManager tokenManager, TokenSettings settings,
			TokenClientRegistrationRepository registrations, ObjectProvider<WebClient.Builder> webClientBuilders,
			ObjectProvider<RestClient.Builder> restClientBuilders, ProviderSslContexts sslContexts) {
		return new TokenClients(tokenManager, settings, registrations, webClientBuilders, restClientBuilders,
				sslContexts);
	}

}
