package dev.tokenstarter.store;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.annotation.RegisteredOAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.client.LoginSessionLogoutHandler;
import dev.tokenstarter.test.Browser;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.LoginProvider;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.Threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver.clientRegistrationId;

/**
 * Users' login sessions (authorization code with PKCE, OpenID Connect) shared by a fleet: two application instances
 * on one real Redis, Spring Authorization Server as the provider, rotating its refresh tokens on every use. A user
 * logs in through the provider's login form on one instance and is served on the other; the instances renew the
 * user's token once between them, never presenting a refresh token twice; a refused refresh sends the user back to
 * log in everywhere; logout revokes at the provider and ends the session on both. Verdicts come from what the
 * provider saw and what Redis holds.
 */
class LoginSessionFleetTests {

	private static final String REGISTRATION = "login";

	private static final MutableClock clock = MutableClock.startingNow();

	private static RedisServer redis;

	private static LoginProvider provider;

	private static ConfigurableApplicationContext instanceA;

	private static ConfigurableApplicationContext instanceB;

	@BeforeAll
	static void startFleet() {
		redis = RedisServer.start();
		int portA = RedisServer.freePort();
		int portB = RedisServer.freePort();
		provider = LoginProvider.start(portA, portB);
		instanceA = instance(portA);
		instanceB = instance(portB);
	}

	@AfterAll
	static void stopFleet() {
		instanceA.close();
		instanceB.close();
		provider.close();
		redis.close();
	}

	@Test
	void aUserLoggedInWithPkceOnOneInstanceIsServedOnTheOtherFromTheSealedStore() {
		Browser browser = new Browser();
		String token = logIn(browser, "alice");

		URI authorization = browser.visited()
			.stream()
			.filter((uri) -> uri.getPath().equals("/oauth2/authorize"))
			.findFirst()
			.orElseThrow();
		assertThat(authorization.getQuery()).contains("code_challenge_method=S256").contains("code_challenge=");
		assertThat(provider.codeVerifiers().values()).doesNotContain("null");

		assertThat(authorize(instanceB, "alice").getAccessToken().getTokenValue()).isEqualTo(token);
		String stored = redis.command("HGET", entry("alice"), "data").get(0);
		assertThat(stored).isNotBlank().doesNotContain(token);
		assertThat(refreshesOf(token)).isZero();
	}

	@Test
	void bothInstancesRenewAnExpiredUserTokenOnceAndNeverPresentARefreshTokenTwice() throws Exception {
		String first = logIn(new Browser(), "bob");
		OAuth2AuthorizedClient loggedIn = stored("bob");
		int refreshesBefore = provider.presentedRefreshTokens().size();
		Duration expiry = moveClockPastExpiry();
		try {
			List<String> tokens = Threads.runTogether(16, (i) -> authorize((i % 2 == 0) ? instanceA : instanceB, "bob")
				.getAccessToken()
				.getTokenValue());

			List<String> presented = provider.presentedRefreshTokens();
			assertThat(presented.subList(refreshesBefore, presented.size()))
				.containsExactly(loggedIn.getRefreshToken().getTokenValue());
			assertThat(new HashSet<>(presented)).hasSameSizeAs(presented);
			assertThat(new HashSet<>(tokens)).hasSize(1).doesNotContain(first);
			assertThat(stored("bob").getAccessToken().getTokenValue()).isEqualTo(tokens.get(0));
		}
		finally {
			clock.advance(expiry.negated());
		}
	}

	@Test
	void aRefusedRefreshRemovesTheUsersClientEverywhereAndSendsTheUserToLogInAgain() throws Exception {
		Browser browser = new Browser();
		String first = logIn(browser, "carol");
		assertThat(authorize(instanceB, "carol").getAccessToken().getTokenValue()).isEqualTo(first);
		provider.revokeRefreshToken(stored("carol").getRefreshToken().getTokenValue());
		Duration expiry = moveClockPastExpiry();
		try {
			assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
				.isThrownBy(() -> authorize(instanceB, "carol"));
			assertThat(redis.command("EXISTS", entry("carol"))).containsExactly("0");
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
					.isThrownBy(() -> authorize(instanceA, "carol")));

			// The provider's session is still alive: sent to the authorization endpoint, the user comes back
			// logged in without a prompt, with a new session.
			int hops = browser.visited().size();
			Browser.Page again = browser.open(base(instanceA) + "/token");
			assertThat(again.status()).as(() -> again.uri() + " " + again.body() + " after "
					+ browser.visited().subList(hops, browser.visited().size())).isEqualTo(200);
			assertThat(again.body()).isNotEqualTo(first);
			assertThat(browser.visited().subList(hops, browser.visited().size()))
				.anyMatch((uri) -> uri.toString().startsWith(provider.issuer() + "/oauth2/authorize?"))
				.noneMatch((uri) -> uri.getPath().equals("/login"));
			assertThat(authorize(instanceB, "carol").getAccessToken().getTokenValue()).isEqualTo(again.body());
		}
		finally {
			clock.advance(expiry.negated());
		}
	}

	@Test
	void aTokenTheApiRejectsOnBothInstancesThroughSpringsInterceptorIsRenewedOnceForTheFleet() throws Exception {
		String first = logIn(new Browser(), "erin");
		OAuth2AuthorizedClient loggedIn = stored("erin");
		int refreshesBefore = provider.presentedRefreshTokens().size();
		provider.revokeAccessToken(first);

		List<Integer> statuses = Threads.runTogether(16, (i) -> callUserInfo((i % 2 == 0) ? instanceA : instanceB,
				"erin"));
		assertThat(statuses).as("the calls that met the revoked token get its 401; Spring's interceptor does not "
				+ "retry them").contains(401).allMatch((status) -> status == 401 || status == 200);

		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(List.of(callUserInfo(instanceA, "erin"), callUserInfo(instanceB, "erin")))
				.containsOnly(200));
		String renewed = authorize(instanceA, "erin").getAccessToken().getTokenValue();
		assertThat(renewed).isNotEqualTo(first);
		assertThat(authorize(instanceB, "erin").getAccessToken().getTokenValue()).isEqualTo(renewed);
		List<String> presented = provider.presentedRefreshTokens();
		assertThat(presented.subList(refreshesBefore, presented.size()))
			.containsExactly(loggedIn.getRefreshToken().getTokenValue());
		assertThat(new HashSet<>(presented)).hasSameSizeAs(presented);
	}

	@Test
	void logoutRevokesTheRefreshTokenAtTheProviderAndEndsTheSessionOnEveryInstance() {
		Browser browser = new Browser();
		String token = logIn(browser, "dave");
		assertThat(authorize(instanceB, "dave").getAccessToken().getTokenValue()).isEqualTo(token);
		String refreshToken = stored("dave").getRefreshToken().getTokenValue();

		String csrf = browser.open(base(instanceA) + "/csrf").body();
		browser.post(base(instanceA) + "/logout", Map.of("_csrf", csrf));

		assertThat(provider.revokedTokens()).contains(refreshToken, token);
		assertThat(redis.command("EXISTS", entry("dave"))).containsExactly("0");
		assertThat(browser.visited()).anyMatch((uri) -> uri.toString().startsWith(provider.issuer() + "/connect/logout"));
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
				.isThrownBy(() -> authorize(instanceB, "dave")));
	}

	/**
	 * Logs a user in on instance A through the provider's login form and returns the access token A then serves.
	 */
	private static String logIn(Browser browser, String user) {
		Browser.Page loginPage = browser.open(base(instanceA) + "/token");
		assertThat(loginPage.uri().toString()).isEqualTo(provider.issuer() + "/login");
		Browser.Page token = browser.logIn(loginPage, user, LoginProvider.PASSWORD);
		assertThat(token.status()).as(token.body()).isEqualTo(200);
		assertThat(token.uri().toString()).startsWith(base(instanceA) + "/token");
		return token.body();
	}

	/**
	 * Moves the engines' clock past the expiry of every token issued so far, and returns by how much: the clock
	 * stands still while the provider's, which stamps the tokens, goes on.
	 */
	private static Duration moveClockPastExpiry() {
		Duration shift = Duration.between(clock.instant(), Instant.now())
			.plus(LoginProvider.ACCESS_TOKEN_LIFETIME)
			.plusMinutes(1);
		clock.advance(shift);
		return shift;
	}

	private static OAuth2AuthorizedClient authorize(ConfigurableApplicationContext instance, String user) {
		return instance.getBean(OAuth2AuthorizedClientManager.class)
			.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION)
				.principal(new TestingAuthenticationToken(user, null, "ROLE_USER"))
				.build());
	}

	/**
	 * Calls the provider's userinfo endpoint as a signed-in user through Spring Security's interceptor with the
	 * instance's manager and failure handler, as an application's servlet code would, and returns the status.
	 */
	private static int callUserInfo(ConfigurableApplicationContext instance, String user) {
		OAuth2ClientHttpRequestInterceptor interceptor = new OAuth2ClientHttpRequestInterceptor(
				instance.getBean(OAuth2AuthorizedClientManager.class));
		interceptor.setAuthorizationFailureHandler(instance.getBean(OAuth2AuthorizationFailureHandler.class));
		RestClient userInfo = RestClient.builder().requestInterceptor(interceptor).build();
		SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken(user, null, "ROLE_USER"));
		try {
			return userInfo.get()
				.uri(provider.userInfoUri())
				.attributes(clientRegistrationId(REGISTRATION))
				.exchange((request, response) -> response.getStatusCode().value());
		}
		finally {
			SecurityContextHolder.clearContext();
		}
	}

	private static OAuth2AuthorizedClient stored(String user) {
		return instanceA.getBean(OAuth2AuthorizedClientService.class).loadAuthorizedClient(REGISTRATION, user);
	}

	private static String entry(String user) {
		return instanceA.getBean(RedisKeys.class).entry(REGISTRATION, user);
	}

	private static long refreshesOf(String token) {
		return provider.presentedRefreshTokens().stream().filter(token::equals).count();
	}

	private static String base(ConfigurableApplicationContext instance) {
		return "http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port");
	}

	private static ConfigurableApplicationContext instance(int port) {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.SERVLET)
			.initializers((context) -> context.getBeanFactory().registerSingleton("testClock", clock))
			.properties("server.port=" + port, "spring.main.banner-mode=off",
					// Boot's default chain would sit beside the application's: its condition lives in
					// spring-boot-security, which the starter leaves out.
					"spring.autoconfigure.exclude=org.springframework.boot.security.oauth2.client.autoconfigure."
							+ "servlet.OAuth2ClientWebSecurityAutoConfiguration",
					"spring.data.redis.url=" + redis.url(),
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY,
					"token.defaults.refresh.max-caller-wait=30s",
					// Renewals come from the tests' callers only, so that the provider's counts are theirs.
					"token.scheduler.enabled=false",
					"spring.security.oauth2.client.registration.login.client-id=" + LoginProvider.CLIENT_ID,
					"spring.security.oauth2.client.registration.login.client-secret=" + LoginProvider.CLIENT_SECRET,
					"spring.security.oauth2.client.registration.login.authorization-grant-type=authorization_code",
					"spring.security.oauth2.client.registration.login.scope=openid",
					// A renewal only the user can mend sends the user through the login again, not through
					// Spring's re-authorization of the client, whose callback is another address.
					"spring.security.oauth2.client.registration.login.redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
					"spring.security.oauth2.client.registration.login.provider=sas",
					"spring.security.oauth2.client.provider.sas.issuer-uri=" + provider.issuer())
			.run();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSecurity
	@RestController
	static class Application {

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http, LoginSessionLogoutHandler loginSessions,
				ClientRegistrationRepository registrations) throws Exception {
			OidcClientInitiatedLogoutSuccessHandler endProviderSession = new OidcClientInitiatedLogoutSuccessHandler(
					registrations);
			endProviderSession.setPostLogoutRedirectUri("{baseUrl}/");
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.oauth2Login(Customizer.withDefaults())
				.logout((logout) -> logout.addLogoutHandler(loginSessions).logoutSuccessHandler(endProviderSession))
				.build();
		}

		@GetMapping("/token")
		String token(@RegisteredOAuth2AuthorizedClient(REGISTRATION) OAuth2AuthorizedClient client) {
			return client.getAccessToken().getTokenValue();
		}

		@GetMapping("/csrf")
		String csrf(CsrfToken token) {
			return token.getToken();
		}

	}

}
