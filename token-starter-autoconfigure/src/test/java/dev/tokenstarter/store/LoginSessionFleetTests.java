package dev.tokenstarter.store;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
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
import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.client.LoginSessionLogoutHandler;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.test.Browser;
import dev.tokenstarter.test.LoginFleet;
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

	private static final String REGISTRATION = LoginFleet.REGISTRATION;

	private static final MutableClock clock = MutableClock.startingNow();

	private static LoginFleet fleet;

	private static RedisServer redis;

	private static LoginProvider provider;

	private static ConfigurableApplicationContext instanceA;

	private static ConfigurableApplicationContext instanceB;

	@BeforeAll
	static void startFleet() {
		// Boot's default chain would sit beside the application's: its condition lives in spring-boot-security,
		// which the starter leaves out.
		fleet = LoginFleet.start(clock, Application.class, WebApplicationType.SERVLET, 2,
				"spring.autoconfigure.exclude=org.springframework.boot.security.oauth2.client.autoconfigure."
						+ "servlet.OAuth2ClientWebSecurityAutoConfiguration");
		redis = fleet.redis();
		provider = fleet.provider();
		instanceA = fleet.instance(0);
		instanceB = fleet.instance(1);
	}

	@AfterAll
	static void stopFleet() {
		fleet.close();
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
	void aUserWhoseNameHoldsAHashIsServedWhatTheLoginSavedUnderThatName() {
		// Entra ID names a guest user like this; Spring's login saves the user's client under the name as it is.
		String guest = "alice_example.com#EXT#@tenant";
		logIn(new Browser(), "alice");
		OAuth2AuthorizedClient loggedIn = stored("alice");
		instanceA.getBean(OAuth2AuthorizedClientService.class)
			.saveAuthorizedClient(new OAuth2AuthorizedClient(loggedIn.getClientRegistration(), guest,
					loggedIn.getAccessToken(), loggedIn.getRefreshToken()),
					new TestingAuthenticationToken(guest, null, "ROLE_USER"));

		assertThat(authorize(instanceB, guest).getAccessToken().getTokenValue())
			.isEqualTo(loggedIn.getAccessToken().getTokenValue());
		// A request carrying the guest's authorized client, on an instance that holds no key of the guest yet, acts for
		// the guest.
		WebClient userInfo = WebClient.builder()
			.filter(instanceA.getBean(TokenClients.class).filter(REGISTRATION))
			.build();
		assertThat(userInfo.get()
			.uri(provider.userInfoUri())
			.attributes(ServerOAuth2AuthorizedClientExchangeFilterFunction.oauth2AuthorizedClient(stored(guest)))
			.exchangeToMono((response) -> Mono.just(response.statusCode().value()))
			.block(Duration.ofSeconds(10))).isEqualTo(200);
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
			assertThat(redis.entriesHoldingTokens(entry("carol"))).isEmpty();
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
		assertThat(redis.entriesHoldingTokens(entry("dave"))).isEmpty();
		assertThat(browser.visited()).anyMatch((uri) -> uri.toString().startsWith(provider.issuer() + "/connect/logout"));
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
				.isThrownBy(() -> authorize(instanceB, "dave")));
	}

	private static String logIn(Browser browser, String user) {
		return fleet.logIn(browser, instanceA, user);
	}

	private static Duration moveClockPastExpiry() {
		return fleet.moveClockPastExpiry();
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
		return fleet.entry(user);
	}

	private static long refreshesOf(String token) {
		return provider.presentedRefreshTokens().stream().filter(token::equals).count();
	}

	private static String base(ConfigurableApplicationContext instance) {
		return LoginFleet.base(instance);
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
