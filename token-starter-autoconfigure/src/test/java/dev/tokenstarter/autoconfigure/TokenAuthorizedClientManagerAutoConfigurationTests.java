package dev.tokenstarter.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.engine.TokenAuthorizationFailureHandler;
import dev.tokenstarter.engine.TokenAuthorizedClientManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Each condition of the blocking face's auto-configuration.
 */
class TokenAuthorizedClientManagerAutoConfigurationTests {

	private static final String[] ACME = { "token.providers.acme.token-uri=https://auth.example.com/token",
			"token.providers.acme.client-id=acme-id", "token.providers.acme.client-secret=acme-secret",
			"token.scheduler.enabled=false" };

	private static final String[] LOGIN = {
			"spring.security.oauth2.client.registration.login.client-id=login-id",
			"spring.security.oauth2.client.registration.login.client-secret=login-secret",
			"spring.security.oauth2.client.registration.login.authorization-grant-type=authorization_code",
			"spring.security.oauth2.client.registration.login.redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
			"spring.security.oauth2.client.registration.login.provider=login",
			"spring.security.oauth2.client.provider.login.authorization-uri=https://login.example.com/authorize",
			"spring.security.oauth2.client.provider.login.token-uri=https://login.example.com/token" };

	/** The customizer that adds the logout on refused renewals to Spring Security's filter chains. */
	private static final String LOGOUT_ON_REFRESH_FAILURE = "tokenLoginRefreshFailureLogout";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class,
				TokenAuthorizedClientManagerAutoConfiguration.class))
		.withPropertyValues(ACME);

	@Test
	void theEnginesManagerAndFailureHandlerAreTheApplicationsOnes() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(OAuth2AuthorizedClientManager.class)
				.hasSingleBean(OAuth2AuthorizationFailureHandler.class);
			assertThat(context.getBean(OAuth2AuthorizedClientManager.class))
				.isInstanceOf(TokenAuthorizedClientManager.class);
			assertThat(context.getBean(OAuth2AuthorizationFailureHandler.class))
				.isInstanceOf(TokenAuthorizationFailureHandler.class);
		});
	}

	@Test
	void withoutSpringSecuritysRepositoriesAnotherRegistrationFailsAsWithSpringSecurityAlone() {
		this.runner.run((context) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> context.getBean(OAuth2AuthorizedClientManager.class)
				.authorize(OAuth2AuthorizeRequest.withClientRegistrationId("unknown").principal("alice").build()))
			.withMessage("Could not find ClientRegistration with id 'unknown'"));
	}

	@Test
	void theApplicationsOwnManagerWinsAndTheFailureHandlerStepsAsideWithTheEnginesManager() {
		OAuth2AuthorizedClientManager own = (request) -> null;
		this.runner.withBean("ownManager", OAuth2AuthorizedClientManager.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(OAuth2AuthorizedClientManager.class)
				.doesNotHaveBean(TokenAuthorizedClientManager.class)
				.doesNotHaveBean(TokenAuthorizationFailureHandler.class);
			assertThat(context.getBean(OAuth2AuthorizedClientManager.class)).isSameAs(own);
		});
	}

	@Test
	void theApplicationsOwnFailureHandlerWins() {
		OAuth2AuthorizationFailureHandler own = (exception, principal, attributes) -> {
		};
		this.runner.withBean("ownHandler", OAuth2AuthorizationFailureHandler.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(TokenAuthorizedClientManager.class)
				.hasSingleBean(OAuth2AuthorizationFailureHandler.class);
			assertThat(context.getBean(OAuth2AuthorizationFailureHandler.class)).isSameAs(own);
		});
	}

	@Test
	void backsOffWithoutTheServletApi() {
		this.runner.withClassLoader(new FilteredClassLoader("jakarta.servlet"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasBean("tokenManager")
				.doesNotHaveBean(OAuth2AuthorizedClientManager.class)
				.doesNotHaveBean(OAuth2AuthorizationFailureHandler.class));
	}

	@Test
	void backsOffWithoutTheEngine() {
		this.runner.withClassLoader(new FilteredClassLoader(WebClient.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(OAuth2AuthorizedClientManager.class)
				.doesNotHaveBean(OAuth2AuthorizationFailureHandler.class));
	}

	@Test
	void aLoginThatLogsUsersOutOnARefusedRenewalGetsTheFilterAndOthersDoNot() {
		WebApplicationContextRunner logins = loginApplication();
		logins.withPropertyValues("token.logins.login.on-refresh-failure=logout")
			.run((context) -> assertThat(context).hasBean(LOGOUT_ON_REFRESH_FAILURE));
		logins.withPropertyValues("token.logins.login.on-refresh-failure=reauthenticate")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(LOGOUT_ON_REFRESH_FAILURE));
		logins.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(LOGOUT_ON_REFRESH_FAILURE));
	}

	@Test
	void aLoginsEntryMustNameARegistrationThatLogsUsersIn() {
		WebApplicationContextRunner logins = loginApplication();
		logins.withPropertyValues("token.logins.nope.on-refresh-failure=logout")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(TokenConfigurationException.class)
				.hasMessageStartingWith("token.logins.nope names no registration that logs users in"));
		logins.withPropertyValues("token.logins.login.on-refresh-failure=logout",
				"token.logins.acme.on-refresh-failure=reauthenticate")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(TokenConfigurationException.class)
				.hasMessageStartingWith("token.logins.acme names no registration that logs users in"));
		logins.withPropertyValues("token.logins.login.on-refresh-failure=never")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("token.logins.login.on-refresh-failure"));
	}

	private static WebApplicationContextRunner loginApplication() {
		return new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(OAuth2ClientAutoConfiguration.class,
					OAuth2ClientWebSecurityAutoConfiguration.class, TokenOAuth2ClientAutoConfiguration.class,
					TokenEngineAutoConfiguration.class, TokenAuthorizedClientManagerAutoConfiguration.class))
			.withUserConfiguration(WebSecurity.class)
			.withPropertyValues(LOGIN)
			.withPropertyValues(ACME);
	}

	@Test
	void springSecuritysDefaultManagerStepsAsideAndBecomesTheDelegateWithTheApplicationsCustomizer() {
		List<DefaultOAuth2AuthorizedClientManager> customized = new ArrayList<>();
		WebApplicationContextRunner withSecurity = new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(OAuth2ClientAutoConfiguration.class,
					OAuth2ClientWebSecurityAutoConfiguration.class))
			.withUserConfiguration(WebSecurity.class)
			.withBean("customizer", Consumer.class,
					() -> (Consumer<DefaultOAuth2AuthorizedClientManager>) customized::add)
			.withPropertyValues(LOGIN)
			.withPropertyValues(ACME);
		withSecurity.run((context) -> {
			assertThat(context).hasSingleBean(OAuth2AuthorizedClientManager.class);
			assertThat(context.getBean(OAuth2AuthorizedClientManager.class))
				.as("Spring Security's default without the engine's manager")
				.isInstanceOf(DefaultOAuth2AuthorizedClientManager.class);
		});
		customized.clear();
		withSecurity.withConfiguration(AutoConfigurations.of(TokenOAuth2ClientAutoConfiguration.class,
				TokenEngineAutoConfiguration.class, TokenAuthorizedClientManagerAutoConfiguration.class))
			.run((context) -> {
					assertThat(context).hasSingleBean(OAuth2AuthorizedClientManager.class);
					assertThat(context.getBean(OAuth2AuthorizedClientManager.class))
						.isInstanceOf(TokenAuthorizedClientManager.class);
					assertThat(customized).as("the delegate, customized as Spring Security's default").hasSize(1);
				});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	static class WebSecurity {

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
			return http.oauth2Client(Customizer.withDefaults()).build();
		}

	}

}
