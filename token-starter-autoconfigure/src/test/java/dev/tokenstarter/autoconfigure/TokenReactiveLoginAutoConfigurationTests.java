package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.web.server.ServerOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.server.WebSessionServerOAuth2AuthorizedClientRepository;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.authentication.logout.LogoutWebFilter;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;

import dev.tokenstarter.client.LoginRefreshFailureLogoutWebFilter;
import dev.tokenstarter.client.LoginSessionServerLogoutHandler;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.store.ReplacingAuthorizedClientService;

import static dev.tokenstarter.test.SignedInUsers.login;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Each condition of the reactive stack's login-session beans: the logout handler, the store's face for Spring's
 * WebFlux login, in place of the repository Spring Boot would build, with or without Boot's registrations, and
 * the logout on a refused renewal, checked at start-up as on the servlet stack, signing users out of the
 * security context repository the application configured, and leaving a logout another customizer turned off off.
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
	void aRefusedRenewalSignsTheUserOutOfTheSecurityContextRepositoryTheApplicationConfigured() {
		this.reactive.withPropertyValues(LOGIN)
			.withPropertyValues("token.logins.login.on-refresh-failure=logout")
			.withUserConfiguration(OwnSecurityContextRepository.class)
			.run((context) -> {
				HeaderSecurityContextRepository repository = context.getBean(HeaderSecurityContextRepository.class);
				repository.signIn("s-1", login("login", "alice"));
				WebTestClient application = WebTestClient
					.bindToWebHandler((exchange) -> Mono.error(new ClientAuthorizationRequiredException("login")))
					.webFilter(new WebFilterChainProxy(context.getBean(SecurityWebFilterChain.class)))
					.build();

				application.get()
					.uri("/orders")
					.header(HeaderSecurityContextRepository.HEADER, "s-1")
					.exchange()
					.expectStatus()
					.isFound();

				assertThat(repository.signedIn()).as("users signed in by the application's repository").isEmpty();
			});
	}

	@Test
	void aLogoutAnotherCustomizerTurnsOffStaysOff() {
		this.reactive.withPropertyValues(LOGIN)
			.withPropertyValues("token.logins.login.on-refresh-failure=logout")
			.withUserConfiguration(NoLogout.class)
			.run((context) -> {
				List<WebFilter> filters = context.getBean(SecurityWebFilterChain.class).getWebFilters().collectList().block();
				assertThat(filters).noneMatch(LogoutWebFilter.class::isInstance)
					.anyMatch(LoginRefreshFailureLogoutWebFilter.class::isInstance);
			});
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

	@Configuration(proxyBeanMethods = false)
	static class NoLogout {

		@Bean
		Customizer<ServerHttpSecurity> noLogout() {
			return (http) -> http.logout(ServerHttpSecurity.LogoutSpec::disable);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnSecurityContextRepository {

		@Bean
		HeaderSecurityContextRepository headerSecurityContextRepository() {
			return new HeaderSecurityContextRepository();
		}

		@Bean
		SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http,
				HeaderSecurityContextRepository repository) {
			return http.securityContextRepository(repository)
				.authorizeExchange((exchanges) -> exchanges.anyExchange().authenticated())
				.build();
		}

	}

	/**
	 * Signed-in users by the value of a request header, with no web session at all (as a token- or
	 * cookie-based repository keeps them).
	 */
	static final class HeaderSecurityContextRepository implements ServerSecurityContextRepository {

		static final String HEADER = "X-Session";

		private final Map<String, SecurityContext> contexts = new ConcurrentHashMap<>();

		void signIn(String session, Authentication user) {
			this.contexts.put(session, new SecurityContextImpl(user));
		}

		Map<String, SecurityContext> signedIn() {
			return Map.copyOf(this.contexts);
		}

		@Override
		public Mono<Void> save(ServerWebExchange exchange, @Nullable SecurityContext context) {
			String session = exchange.getRequest().getHeaders().getFirst(HEADER);
			return Mono.fromRunnable(() -> {
				if (session != null && (context == null || context.getAuthentication() == null)) {
					this.contexts.remove(session);
				}
				else if (session != null) {
					this.contexts.put(session, context);
				}
			});
		}

		@Override
		public Mono<SecurityContext> load(ServerWebExchange exchange) {
			String session = exchange.getRequest().getHeaders().getFirst(HEADER);
			return Mono.justOrEmpty((session != null) ? this.contexts.get(session) : null);
		}

	}

}
