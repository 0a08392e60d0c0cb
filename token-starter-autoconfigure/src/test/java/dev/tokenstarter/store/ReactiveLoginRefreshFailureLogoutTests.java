package dev.tokenstarter.store;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
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
import dev.tokenstarter.test.LoginFleet;
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

	private static final String REGISTRATION = LoginFleet.REGISTRATION;

	private static final MutableClock clock = MutableClock.startingNow();

	private static LoginFleet fleet;

	private static RedisServer redis;

	private static LoginProvider provider;

	private static ConfigurableApplicationContext instance;

	@BeforeAll
	static void start() {
		fleet = LoginFleet.start(clock, Application.class, WebApplicationType.REACTIVE, 1,
				"token.logins.login.on-refresh-failure=logout");
		redis = fleet.redis();
		provider = fleet.provider();
		instance = fleet.instance(0);
	}

	@AfterAll
	static void stop() {
		fleet.close();
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
			assertThat(redis.entriesHoldingTokens(instance.getBean(RedisKeys.class).entry(REGISTRATION, "erin")))
				.isEmpty();
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
		return fleet.logIn(browser, instance, user);
	}

	private static WebTestClient app() {
		return WebTestClient.bindToServer()
			.baseUrl(base())
			.responseTimeout(Duration.ofSeconds(30))
			.defaultHeader("Accept", MediaType.TEXT_HTML_VALUE)
			.build();
	}

	private static Duration moveClockPastExpiry() {
		return fleet.moveClockPastExpiry();
	}

	private static String base() {
		return LoginFleet.base(instance);
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
