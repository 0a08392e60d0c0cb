package dev.tokenstarter.store;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.annotation.RegisteredOAuth2AuthorizedClient;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.tokenstarter.test.Browser;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.LoginProvider;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code token.logins.<id>.on-refresh-failure: logout} on the reactive stack (WebFlux {@code oauth2Login()}), with
 * Spring Authorization Server as the provider, which refuses a revoked refresh token, and a real Redis: when the
 * provider refuses to renew a signed-in user's token, the user's client is removed from the store, the local
 * session ends and the provider's session too (RP-initiated logout with the user's ID token), so the user lands
 * on the provider's login form instead of being signed in again silently, as {@code reauthenticate} (the default,
 * in {@link ReactiveLoginSessionFleetTests}) does. The application declares nothing for it: the starter adds its
 * filter to the application's {@code ServerHttpSecurity}. The browser logs in; the refused request itself is
 * made with {@link WebTestClient} in the browser's session, so the test sees the application's own answer.
 */
class ReactiveLoginRefreshFailureLogoutTests {

	private static final String REGISTRATION = "login";

	private static final MutableClock clock = MutableClock.startingNow();

	private static RedisServer redis;

	private static LoginProvider provider;

	private static ConfigurableApplicationContext instance;

	@BeforeAll
	static void start() {
		redis = RedisServer.start();
		int port = RedisServer.freePort();
		provider = LoginProvider.start(port);
		instance = instance(port);
	}

	@AfterAll
	static void stop() {
		instance.close();
		provider.close();
		redis.close();
	}

	@Test
	void aRefusedRefreshEndsTheLocalAndTheProvidersSessionAndTheUserMustLogInAgain() throws Exception {
		Browser browser = new Browser();
		String first = logIn(browser, "erin");
		String session = browser.cookie(base(), "SESSION");
		OAuth2AuthorizedClient loggedIn = instance.getBean(ReactiveOAuth2AuthorizedClientService.class)
			.<OAuth2AuthorizedClient>loadAuthorizedClient(REGISTRATION, "erin")
			.block(Duration.ofSeconds(10));
		provider.revokeRefreshToken(loggedIn.getRefreshToken().getTokenValue());
		Duration expiry = moveClockPastExpiry();
		try {
			URI endSession = app().get()
				.uri("/token")
				.cookie("SESSION", session)
				.exchange()
				.expectStatus()
				.isFound()
				.returnResult(String.class)
				.getResponseHeaders()
				.getLocation();

			assertThat(endSession).isNotNull();
			assertThat(endSession.toString()).startsWith(provider.issuer() + "/connect/logout?");
			assertThat(endSession.getRawQuery()).contains("id_token_hint=ey").contains("post_logout_redirect_uri=");
			assertThat(redis.command("EXISTS", instance.getBean(RedisKeys.class).entry(REGISTRATION, "erin")))
				.containsExactly("0");
			// The local session has ended: it no longer signs the user in.
			app().get()
				.uri("/token")
				.cookie("SESSION", session)
				.exchange()
				.expectStatus()
				.isFound()
				.expectHeader()
				.location("/oauth2/authorization/" + REGISTRATION);

			// The provider's session ends too: back through the application, the user is asked to log in.
			Browser.Page after = browser.open(endSession.toString());
			assertThat(after.uri().toString()).as(() -> browser.visited().toString())
				.isEqualTo(provider.issuer() + "/login");
			assertThat(browser.logIn(after, "erin", LoginProvider.PASSWORD).uri().toString()).startsWith(base() + "/");
			Browser.Page again = browser.open(base() + "/token");
			assertThat(again.status()).isEqualTo(200);
			assertThat(again.body()).isNotEqualTo(first);
		}
		finally {
			clock.advance(expiry.negated());
		}
	}

	private static String logIn(Browser browser, String user) {
		Browser.Page loginPage = browser.open(base() + "/token");
		assertThat(loginPage.uri().toString()).isEqualTo(provider.issuer() + "/login");
		Browser.Page token = browser.logIn(loginPage, user, LoginProvider.PASSWORD);
		assertThat(token.status()).as(token.body()).isEqualTo(200);
		return token.body();
	}

	private static WebTestClient app() {
		return WebTestClient.bindToServer()
			.baseUrl(base())
			.responseTimeout(Duration.ofSeconds(30))
			.defaultHeader("Accept", MediaType.TEXT_HTML_VALUE)
			.build();
	}

	/**
	 * Moves the engine's clock past the expiry of every token issued so far, and returns by how much.
	 */
	private static Duration moveClockPastExpiry() {
		Duration shift = Duration.between(clock.instant(), Instant.now())
			.plus(LoginProvider.ACCESS_TOKEN_LIFETIME)
			.plusMinutes(1);
		clock.advance(shift);
		return shift;
	}

	private static String base() {
		return "http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port");
	}

	private static ConfigurableApplicationContext instance(int port) {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.REACTIVE)
			.initializers((context) -> context.getBeanFactory().registerSingleton("testClock", clock))
			.properties("server.port=" + port, "spring.main.banner-mode=off",
					"spring.data.redis.url=" + redis.url(),
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY,
					"token.defaults.refresh.max-caller-wait=30s", "token.scheduler.enabled=false",
					"token.logins.login.on-refresh-failure=logout",
					"spring.security.oauth2.client.registration.login.client-id=" + LoginProvider.CLIENT_ID,
					"spring.security.oauth2.client.registration.login.client-secret=" + LoginProvider.CLIENT_SECRET,
					"spring.security.oauth2.client.registration.login.authorization-grant-type=authorization_code",
					"spring.security.oauth2.client.registration.login.scope=openid",
					"spring.security.oauth2.client.registration.login.redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
					"spring.security.oauth2.client.registration.login.provider=sas",
					"spring.security.oauth2.client.provider.sas.issuer-uri=" + provider.issuer())
			.run();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebFluxSecurity
	@RestController
	static class Application {

		@Bean
		SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().authenticated())
				.oauth2Login(Customizer.withDefaults())
				.build();
		}

		@GetMapping("/token")
		String token(@RegisteredOAuth2AuthorizedClient(REGISTRATION) OAuth2AuthorizedClient client) {
			return client.getAccessToken().getTokenValue();
		}

	}

}
