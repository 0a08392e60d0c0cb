package dev.tokenstarter.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.engine.TokenAuthorizationFailureHandler;
import dev.tokenstarter.engine.TokenAuthorizedClientManager;

import static dev.tokenstarter.test.SignedInUsers.login;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Each condition of the blocking face's auto-configuration, and the logout on a refused renewal in a filter chain
 * that keeps its users in a security context repository of its own.
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

	@Test
	void aRefusedRenewalSignsTheUserOutOfTheSecurityContextRepositoryTheApplicationConfigured() {
		loginApplication(OwnSecurityContextRepository.class)
			.withPropertyValues("token.logins.login.on-refresh-failure=logout")
			.run((context) -> {
				HeaderSecurityContextRepository repository = context.getBean(HeaderSecurityContextRepository.class);
				repository.signIn("s-1", login("login", "alice"));
				MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders");
				request.addHeader(HeaderSecurityContextRepository.HEADER, "s-1");
				MockHttpServletResponse response = new MockHttpServletResponse();

				context.getBean("springSecurityFilterChain", Filter.class)
					.doFilter(request, response, (req, res) -> {
						throw new ClientAuthorizationRequiredException("login");
					});

				assertThat(response.getStatus()).isEqualTo(302);
				assertThat(repository.signedIn()).as("users signed in by the application's repository").isEmpty();
			});
	}

	private static WebApplicationContextRunner loginApplication() {
		return loginApplication(WebSecurity.class);
	}

	private static WebApplicationContextRunner loginApplication(Class<?> security) {
		return new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(OAuth2ClientAutoConfiguration.class,
					OAuth2ClientWebSecurityAutoConfiguration.class, TokenOAuth2ClientAutoConfiguration.class,
					TokenEngineAutoConfiguration.class, TokenAuthorizedClientManagerAutoConfiguration.class))
			.withUserConfiguration(security)
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

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	static class OwnSecurityContextRepository {

		@Bean
		HeaderSecurityContextRepository headerSecurityContextRepository() {
			return new HeaderSecurityContextRepository();
		}

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http, HeaderSecurityContextRepository repository)
				throws Exception {
			return http.securityContext((securityContext) -> securityContext.securityContextRepository(repository))
				.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.build();
		}

	}

	/**
	 * Signed-in users by the value of a request header, with no HTTP session at all (as a token- or cookie-based
	 * repository keeps them). Each request gets its own copy of the context, as from a repository that
	 * serializes it: only saving another one signs the user out.
	 */
	static final class HeaderSecurityContextRepository implements SecurityContextRepository {

		static final String HEADER = "X-Session";

		private final Map<String, SecurityContext> contexts = new ConcurrentHashMap<>();

		void signIn(String session, Authentication user) {
			this.contexts.put(session, new SecurityContextImpl(user));
		}

		Map<String, SecurityContext> signedIn() {
			return Map.copyOf(this.contexts);
		}

		@Override
		@SuppressWarnings("deprecation")
		public SecurityContext loadContext(HttpRequestResponseHolder holder) {
			String session = holder.getRequest().getHeader(HEADER);
			SecurityContext context = (session != null) ? this.contexts.get(session) : null;
			return (context != null) ? new SecurityContextImpl(context.getAuthentication()) : new SecurityContextImpl();
		}

		@Override
		public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
			String session = request.getHeader(HEADER);
			if (session != null && context.getAuthentication() == null) {
				this.contexts.remove(session);
			}
			else if (session != null) {
				this.contexts.put(session, context);
			}
		}

		@Override
		public boolean containsContext(HttpServletRequest request) {
			String session = request.getHeader(HEADER);
			return session != null && this.contexts.containsKey(session);
		}

	}

}
