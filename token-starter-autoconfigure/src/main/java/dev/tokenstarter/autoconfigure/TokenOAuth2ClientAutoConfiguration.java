package dev.tokenstarter.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.ConditionalOnOAuth2ClientRegistrationProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientPropertiesMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Fallback;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.IssuerMetadataReader;
import dev.tokenstarter.config.ProviderClientRegistrations;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenProperties;

/**
 * When the application also has {@code spring.security.oauth2.client.registration.*} entries, or a registration
 * repository of its own, puts the engine's registration repository and authorized-client store where Spring Boot
 * would put its in-memory ones, so there is one of each, serving both kinds of registration: otherwise Boot's
 * reactive repository would stand beside ours (injection by type ambiguous) and Boot's in-memory service, knowing
 * only Boot's registrations, would silently drop the tokens of {@code token.providers} and keep each instance's
 * tokens from the fleet. Runs before Boot's OAuth2 client auto-configurations, whose conditions then find ours.
 * Otherwise it does nothing and {@link TokenEngineAutoConfiguration} wires the same beans after Boot's.
 */
@AutoConfiguration(
		beforeName = { "org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration",
				"org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration",
				"org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientWebSecurityAutoConfiguration" })
@ConditionalOnClass({ OAuth2ClientProperties.class, ClientRegistration.class, WebClient.class })
@Conditional(TokenOAuth2ClientAutoConfiguration.BootBuildsItsStores.class)
@EnableConfigurationProperties({ TokenProperties.class, OAuth2ClientProperties.class })
@Import({ TokenStoreConfigurations.AheadOfBoot.Redis.class, TokenStoreConfigurations.AheadOfBoot.InMemory.class,
		TokenStoreConfigurations.AheadOfBoot.Blocking.class, TokenStoreConfigurations.AheadOfBoot.ServerRepository.class })
public final class TokenOAuth2ClientAutoConfiguration {

	/**
	 * Stands in for the reactive repository Spring Boot builds from its properties, under the same conditions.
	 * Servlet applications get Boot's blocking repository instead, which the engine's repository reads.
	 */
	@Bean
	@ConditionalOnMissingBean({ TokenClientRegistrationRepository.class, ReactiveClientRegistrationRepository.class })
	@Conditional(NonServletApplicationCondition.class)
	@Fallback
	TokenClientRegistrationRepository tokenClientRegistrationRepository(TokenProperties properties,
			OAuth2ClientProperties securityProperties, IssuerMetadataReader issuerMetadata,
			ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		List<ClientRegistration> security = List
			.copyOf(new OAuth2ClientPropertiesMapper(securityProperties).asClientRegistrations().values());
		return new TokenClientRegistrationRepository(ProviderClientRegistrations.of(properties),
				ProviderClientRegistrations.discovered(properties, issuerMetadata), security, reactiveRepositories,
				repositories);
	}

	/**
	 * When Spring Boot builds its in-memory authorized-client stores: for its registration properties, and for a
	 * registration repository of the application's own, of the kind the application's type serves (a reactive one
	 * outside servlet applications, a blocking one outside reactive ones), as Boot's OAuth2 client
	 * auto-configurations are conditioned.
	 */
	static class BootBuildsItsStores extends AnyNestedCondition {

		BootBuildsItsStores() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnOAuth2ClientRegistrationProperties
		static class RegistrationProperties {

		}

		@ConditionalOnBean(ReactiveClientRegistrationRepository.class)
		@Conditional(NonServletApplicationCondition.class)
		static class ReactiveRepository {

		}

		@ConditionalOnBean(ClientRegistrationRepository.class)
		@Conditional(NonReactiveApplicationCondition.class)
		static class Repository {

		}

	}

	static class NonReactiveApplicationCondition extends NoneNestedConditions {

		NonReactiveApplicationCondition() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
		static class ReactiveApplication {

		}

	}

	static class NonServletApplicationCondition extends NoneNestedConditions {

		NonServletApplicationCondition() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
		static class ServletApplication {

		}

	}

}
