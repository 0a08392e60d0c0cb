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

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.annotation.RegisteredOAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.oidc.web.server.logout.OidcClientInitiatedServerLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ServerWebExchange;

import dev.tokenstarter.client.LoginSessionServerLogoutHandler;
import dev.tokenstarter.test.Browser;
import dev.tokenstarter.test.LoginFleet;
import dev.tokenstarter.test.LoginProvider;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.Threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Users' login sessions on the reactive stack (WebFlux {@code oauth2Login()}) shared by a fleet: two application
 * instances on one real Redis, Spring Authorization Server as the provider, rotating its refresh tokens on every
 * use. Spring's WebFlux login saves the user's client without reading it first, so a second login of a user whose
 * entry another instance wrote must replace it; the instances renew the user's token once between them and serve it
 * to {@code @RegisteredOAuth2AuthorizedClient} and Spring's reactive exchange filter; a refused refresh sends the
 * user back to log in; logout revokes at the provider and ends the session on both. Verdicts come from what the
 * provider saw and what Redis holds.
 */
class ReactiveLoginSessionFleetTests {

	private static final String REGISTRATION = LoginFleet.REGISTRATION;

	private static final MutableClock clock = MutableClock.startingNow();

	private static LoginFleet fleet;

	private static RedisServer redis;

	private static LoginProvider provider;

	private static ConfigurableApplicationContext instanceA;

	private static ConfigurableApplicationContext instanceB;

	@BeforeAll
	static void startFleet() {
		fleet = LoginFleet.start(clock, Application.class, WebApplicationType.REACTIVE, 2);
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
	void aSecondLoginOfTheSameUserOnAnotherInstanceReplacesTheFirstEverywhere() {
		String first = logIn(new Browser(), instanceA, "alice");

		// Instance B has never read the user's entry: Spring's login saves without reading first.
		String second = logIn(new Browser(), instanceB, "alice");

		assertThat(second).isNotEqualTo(first);
		assertThat(stored("alice").getAccessToken().getTokenValue()).isEqualTo(second);
		assertThat(redis.command("HGET", entry("alice"), "data").get(0)).isNotBlank().doesNotContain(second);
		assertThat(authorize(instanceB, "alice").getAccessToken().getTokenValue()).isEqualTo(second);
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(authorize(instanceA, "alice").getAccessToken().getTokenValue())
				.isEqualTo(second));

		// A third login on the first instance, which last wrote the entry two versions ago.
		String third = logIn(new Browser(), instanceA, "alice");
		assertThat(stored("alice").getAccessToken().getTokenValue()).isEqualTo(third);
		assertThat(authorize(instanceA, "alice").getAccessToken().getTokenValue()).isEqualTo(third);
	}

	@Test
	void bothInstancesRenewAnExpiredUserTokenOnceAndServeItToSpringsExchangeFilter() throws Exception {
		Browser browser = new Browser();
		String first = logIn(browser, instanceA, "bob");
		assertThat(browser.open(base(instanceA) + "/api").body()).isEqualTo("Bearer " + first);
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
			assertThat(browser.open(base(instanceA) + "/api").body()).isEqualTo("Bearer " + tokens.get(0));
			assertThat(browser.open(base(instanceA) + "/token").body()).isEqualTo(tokens.get(0));
			assertThat(provider.presentedRefreshTokens()).hasSize(refreshesBefore + 1);
		}
		finally {
			clock.advance(expiry.negated());
		}
	}

	@Test
	void aRefusedRefreshRemovesTheUsersClientEverywhereAndSendsTheUserToLogInAgain() throws Exception {
		Browser browser = new Browser();
		String first = logIn(browser, instanceA, "carol");
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
			assertThat(again.status()).as(() -> again.uri() + " " + again.body()).isEqualTo(200);
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
	void logoutRevokesTheRefreshTokenAtTheProviderAndEndsTheSessionOnEveryInstance() {
		Browser browser = new Browser();
		String token = logIn(browser, instanceA, "dave");
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

	private static String logIn(Browser browser, ConfigurableApplicationContext instance, String user) {
		return fleet.logIn(browser, instance, user);
	}

	private static Duration moveClockPastExpiry() {
		return fleet.moveClockPastExpiry();
	}

	private static OAuth2AuthorizedClient authorize(ConfigurableApplicationContext instance, String user) {
		return instance.getBean(ReactiveOAuth2AuthorizedClientManager.class)
			.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION)
				.principal(new TestingAuthenticationToken(user, null, "ROLE_USER"))
				.build())
			.block(Duration.ofSeconds(30));
	}

	private static OAuth2AuthorizedClient stored(String user) {
		return instanceA.getBean(ReactiveOAuth2AuthorizedClientService.class)
			.<OAuth2AuthorizedClient>loadAuthorizedClient(REGISTRATION, user)
			.block(Duration.ofSeconds(10));
	}

	private static String entry(String user) {
		return fleet.entry(user);
	}

	private static String base(ConfigurableApplicationContext instance) {
		return LoginFleet.base(instance);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebFluxSecurity
	@RestController
	static class Application {

		private final ObjectProvider<ReactiveOAuth2AuthorizedClientManager> manager;

		Application(ObjectProvider<ReactiveOAuth2AuthorizedClientManager> manager) {
			this.manager = manager;
		}

		@Bean
		SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http,
				LoginSessionServerLogoutHandler loginSessions, ReactiveClientRegistrationRepository registrations) {
			OidcClientInitiatedServerLogoutSuccessHandler endProviderSession = new OidcClientInitiatedServerLogoutSuccessHandler(
					registrations);
			endProviderSession.setPostLogoutRedirectUri("{baseUrl}/");
			return http
				.authorizeExchange((exchanges) -> exchanges.pathMatchers("/echo").permitAll().anyExchange().authenticated())
				.oauth2Login(Customizer.withDefaults())
				.logout((logout) -> logout.logoutHandler((handlers) -> handlers.add(0, loginSessions))
					.logoutSuccessHandler(endProviderSession))
				.build();
		}

		@GetMapping("/token")
		String token(@RegisteredOAuth2AuthorizedClient(REGISTRATION) OAuth2AuthorizedClient client) {
			return client.getAccessToken().getTokenValue();
		}

		/**
		 * Calls {@code /echo} of this instance with Spring's reactive exchange filter, on the engine's manager.
		 */
		@GetMapping("/api")
		Mono<String> api(ServerWebExchange exchange) {
			ServerOAuth2AuthorizedClientExchangeFilterFunction oauth2 = new ServerOAuth2AuthorizedClientExchangeFilterFunction(
					this.manager.getObject());
			oauth2.setDefaultClientRegistrationId(REGISTRATION);
			URI self = exchange.getRequest().getURI();
			return WebClient.builder()
				.filter(oauth2)
				.build()
				.get()
				.uri(self.resolve("/echo"))
				.retrieve()
				.bodyToMono(String.class);
		}

		@GetMapping("/echo")
		String echo(@RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
			return authorization;
		}

		@GetMapping("/csrf")
		Mono<String> csrf(ServerWebExchange exchange) {
			Mono<CsrfToken> token = exchange.getAttributeOrDefault(CsrfToken.class.getName(), Mono.empty());
			return token.map(CsrfToken::getToken);
		}

	}

}
