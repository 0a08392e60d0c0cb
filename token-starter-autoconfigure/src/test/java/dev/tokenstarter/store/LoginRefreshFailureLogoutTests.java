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
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.annotation.RegisteredOAuth2AuthorizedClient;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.tokenstarter.test.Browser;
import dev.tokenstarter.test.LoginFleet;
import dev.tokenstarter.test.LoginProvider;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code token.logins.<id>.on-refresh-failure: logout} on the servlet stack, with Spring Authorization Server as the
 * provider and a real Redis: when the provider refuses to renew a signed-in user's token, the user's client is
 * removed from the store, the local session ends and the provider's session too (RP-initiated logout with the
 * user's ID token), so the user lands on the provider's login form instead of being signed in again silently, as
 * {@code reauthenticate} (the default, in {@link LoginSessionFleetTests}) does.
 */
class LoginRefreshFailureLogoutTests {

	private static final String REGISTRATION = LoginFleet.REGISTRATION;

	private static final MutableClock clock = MutableClock.startingNow();

	private static LoginFleet fleet;

	private static RedisServer redis;

	private static LoginProvider provider;

	private static ConfigurableApplicationContext instance;

	@BeforeAll
	static void start() {
		fleet = LoginFleet.start(clock, Application.class, WebApplicationType.SERVLET, 1,
				"spring.autoconfigure.exclude=org.springframework.boot.security.oauth2.client.autoconfigure."
						+ "servlet.OAuth2ClientWebSecurityAutoConfiguration",
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
		OAuth2AuthorizedClient loggedIn = instance.getBean(OAuth2AuthorizedClientService.class)
			.loadAuthorizedClient(REGISTRATION, "erin");
		provider.revokeRefreshToken(loggedIn.getRefreshToken().getTokenValue());
		Duration expiry = moveClockPastExpiry();
		try {
			int hops = browser.visited().size();
			Browser.Page after = browser.open(base() + "/token");

			URI endSession = browser.visited()
				.subList(hops, browser.visited().size())
				.stream()
				.filter((uri) -> uri.toString().startsWith(provider.issuer() + "/connect/logout?"))
				.findFirst()
				.orElseThrow(() -> new AssertionError("No RP-initiated logout in " + browser.visited()));
			assertThat(endSession.getRawQuery()).contains("id_token_hint=ey").contains("post_logout_redirect_uri=");
			// The provider's session has ended too: the user is asked to log in, not signed in again silently.
			assertThat(after.uri().toString()).as(() -> browser.visited().toString())
				.isEqualTo(provider.issuer() + "/login");
			assertThat(redis.entriesHoldingTokens(instance.getBean(RedisKeys.class).entry(REGISTRATION, "erin")))
				.isEmpty();
			assertThat(after.body()).doesNotContain(first);

			// Back at the application's post-logout address, then signed in with a new session.
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

	private static Duration moveClockPastExpiry() {
		return fleet.moveClockPastExpiry();
	}

	private static String base() {
		return LoginFleet.base(instance);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSecurity
	@RestController
	static class Application {

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.oauth2Login(Customizer.withDefaults())
				.build();
		}

		@GetMapping("/token")
		String token(@RegisteredOAuth2AuthorizedClient(REGISTRATION) OAuth2AuthorizedClient client) {
			return client.getAccessToken().getTokenValue();
		}

	}

}
