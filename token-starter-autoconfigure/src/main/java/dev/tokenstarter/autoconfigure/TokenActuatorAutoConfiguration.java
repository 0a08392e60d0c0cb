package dev.tokenstarter.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.observe.TokenHealthIndicator;
import dev.tokenstarter.observe.TokenOverview;
import dev.tokenstarter.observe.TokensEndpoint;
import dev.tokenstarter.ssl.DpopKeys;

/**
 * The {@code tokens} health indicator and Actuator endpoint, each when its library is present and it is enabled
 * the usual Actuator way ({@code management.health.tokens.enabled}, {@code management.endpoint.tokens.*}). The
 * endpoint is read-only unless {@code management.endpoint.tokens.access=unrestricted}. The health indicator counts
 * towards the overall {@code /actuator/health}, like Spring Boot's own (a provider without a valid token turns it
 * DOWN), and is in neither the liveness nor the readiness group unless the application adds it: a provider's outage
 * must not have the platform restart every instance or take them all out of service.
 */
@AutoConfiguration(after = { TokenRedisAutoConfiguration.class, TokenEngineAutoConfiguration.class })
@ConditionalOnBean(TokenManager.class)
public final class TokenActuatorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TokenOverview tokenOverview(TokenManager tokenManager, TokenClientRegistrationRepository registrations,
			ReactiveOAuth2AuthorizedClientService store) {
		return new TokenOverview(tokenManager, registrations.providers(), store);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	@ConditionalOnEnabledHealthIndicator("tokens")
	static class TokenHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "tokensHealthIndicator")
		TokenHealthIndicator tokensHealthIndicator(TokenOverview overview) {
			return new TokenHealthIndicator(overview);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
	@ConditionalOnAvailableEndpoint(TokensEndpoint.class)
	static class TokensEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TokensEndpoint tokensEndpoint(TokenOverview overview, TokenManager tokenManager, TokenSettings settings,
				ObjectProvider<DpopKeys> dpopKeys) {
			TokensEndpoint endpoint = new TokensEndpoint(overview, tokenManager, settings);
			dpopKeys.ifAvailable(endpoint::setDpopKeys);
			return endpoint;
		}

	}

}
