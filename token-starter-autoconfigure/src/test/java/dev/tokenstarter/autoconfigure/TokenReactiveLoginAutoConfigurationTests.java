package dev.tokenstarter.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.oauth2.client.web.server.ServerOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.server.WebSessionServerOAuth2AuthorizedClientRepository;

import dev.tokenstarter.client.LoginSessionServerLogoutHandler;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.store.ReplacingAuthorizedClientService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Each condition of the reactive stack's login-session beans: the logout handler, the store's face for Spring's
 * WebFlux login, in place of the repository Spring Boot would build, with or without Boot's registrations, and
 * the logout on a refused renewal, checked at start-up as on the servlet stack.
 */
class TokenReactiveLoginAutoConfigurationTests {

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

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(
			TokenOAuth2ClientAutoConfiguration.class, ReactiveOAuth2ClientAutoConfiguration.class,
			ReactiveOAuth2ClientWebSecurityAutoConfiguration.class, TokenEngineAutoConfiguration.class,
			TokenReactiveLoginAutoConfiguration.class);

	private static final String LOGOUT_ON_REFRESH_FAILURE = "tokenLoginRefreshFailureServerLogout";

	private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS)
		.withUserConfiguration(WebFluxSecurity.class)
		.withPropertyValues(ACME);

	@Test
	void aWebFluxApplicationWithBootsRegistrationsGetsTheStoresFaceInPlaceOfBootsRepository() {
		this.reactive.withPropertyValues(LOGIN).run((context) -> {
			assertThat(context).hasSingleBean(ServerOAuth2AuthorizedClientRepository.class)
				.hasSingleBean(LoginSessionServerLogoutHandler.class);
			assertThat(context).getBean(ServerOAuth2AuthorizedClientRepository.class)
				.extracting("authorizedClientService")
				.isInstanceOf(ReplacingAuthorizedClientService.class);
		});
	}

	@Test
	void aWebFluxApplicationWithTheStartersProvidersOnlyGetsTheStoresFaceToo() {
		this.reactive.run((context) -> {
			assertThat(context).hasSingleBean(ServerOAuth2AuthorizedClientRepository.class)
				.hasSingleBean(LoginSessionServerLogoutHandler.class);
			assertThat(context).getBean(ServerOAuth2AuthorizedClientRepository.class)
				.extracting("authorizedClientService")
				.isInstanceOf(ReplacingAuthorizedClientService.class);
		});
	}

	@Test
	void theApplicationsOwnRepositoryAndLogoutHandlerWin() {
		WebSessionServerOAuth2AuthorizedClientRepository own = new WebSessionServerOAuth2AuthorizedClientRepository();
		LoginSessionServerLogoutHandler ownHandler = new LoginSessionServerLogoutHandler(
				mock(TokenManager.class), Duration.ofSeconds(1));
		this.reactive.withPropertyValues(LOGIN)
			.withBean(ServerOAuth2AuthorizedClientRepository.class, () -> own)
			.withBean(LoginSessionServerLogoutHandler.class, () -> ownHandler)
			.run((context) -> {
				assertThat(context.getBean(ServerOAuth2AuthorizedClientRepository.class)).isSameAs(own);
				assertThat(context.getBean(LoginSessionServerLogoutHandler.class)).isSameAs(ownHandler);
			});
	}

	@Test
	void aLoginThatLogsUsersOutOnARefusedRenewalGetsTheFilterAndOthersDoNot() {
		ReactiveWebApplicationContextRunner logins = this.reactive.withPropertyValues(LOGIN);
		logins.withPropertyValues("token.logins.login.on-refresh-failure=logout")
			.run((context) -> assertThat(context).hasBean(LOGOUT_ON_REFRESH_FAILURE));
		logins.withPropertyValues("token.logins.login.on-refresh-failure=reauthenticate")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LOGOUT_ON_REFRESH_FAILURE));
		logins.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LOGOUT_ON_REFRESH_FAILURE));
	}

	@Test
	void aLoginsEntryMustNameARegistrationThatLogsUsersInOnWebFluxToo() {
		ReactiveWebApplicationContextRunner logins = this.reactive.withPropertyValues(LOGIN);
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
	}

	@Test
	void servletAndNonWebApplicationsGetNeither() {
		new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withPropertyValues(ACME)
			.withPropertyValues(LOGIN)
			.run((context) -> assertThat(context).doesNotHaveBean(ServerOAuth2AuthorizedClientRepository.class)
				.doesNotHaveBean(LoginSessionServerLogoutHandler.class));
		new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withPropertyValues(ACME)
			.run((context) -> assertThat(context).doesNotHaveBean(ServerOAuth2AuthorizedClientRepository.class)
				.doesNotHaveBean(LoginSessionServerLogoutHandler.class));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebFluxSecurity
	static class WebFluxSecurity {

	}

}
