package dev.tokenstarter.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.annotation.RegisteredOAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code @RegisteredOAuth2AuthorizedClient} in a servlet application with Spring Security: a provider of the engine
 * resolves to the engine's token, whoever is signed in, and an {@code authorization_code} registration of the same
 * application works as it does without the starter (sent to sign in when not authorized, its client read for the
 * signed-in user, refreshed when expired), served by the engine: a rejected token is renewed with its refresh token.
 */
class RegisteredAuthorizedClientTests {

	private static final String LOGIN_TOKEN_PATH = "/login/token";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final WebApplicationContextRunner withoutStarter = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class, OAuth2ClientAutoConfiguration.class,
				OAuth2ClientWebSecurityAutoConfiguration.class))
		.withUserConfiguration(Application.class)
		.withPropertyValues(loginRegistration());

	private final WebApplicationContextRunner withStarter = this.withoutStarter
		.withConfiguration(AutoConfigurations.of(TokenOAuth2ClientAutoConfiguration.class,
				TokenEngineAutoConfiguration.class, TokenAuthorizedClientManagerAutoConfiguration.class))
		.withPropertyValues("token.providers.acme.token-uri=" + server.baseUrl() + "/token",
				"token.providers.acme.client-id=client-acme", "token.providers.acme.client-secret=secret-acme",
				"token.scheduler.enabled=false");

	@Test
	void anEngineProviderResolvesToTheEnginesApplicationTokenWhoeverIsSignedIn() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		this.withStarter.run((context) -> {
			MockMvc mvc = mvc(context);
			mvc.perform(get("/acme")).andExpect(status().isOk()).andExpect(content().string("T1"));
			mvc.perform(get("/acme").header("Authorization", alice()))
				.andExpect(status().isOk())
				.andExpect(content().string("T1"));
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			assertThat(context.getBean(TokenManager.class).cachedToken("acme").accessToken().getTokenValue())
				.isEqualTo("T1");
		});
	}

	@Test
	void anAuthorizationCodeRegistrationWorksWithTheStarterAsWithout() {
		for (WebApplicationContextRunner runner : Stream.of(this.withoutStarter, this.withStarter).toList()) {
			server.resetAll();
			server.stubFor(post(urlPathEqualTo(LOGIN_TOKEN_PATH)).withRequestBody(containing("grant_type=refresh_token"))
				.withRequestBody(containing("refresh_token=R1"))
				.willReturn(token("U2", 300)));
			runner.run((context) -> {
				MockMvc mvc = mvc(context);
				mvc.perform(get("/login-client").header("Authorization", alice()))
					.andExpect(status().is3xxRedirection())
					.andExpect(header().string("Location", startsWith(server.baseUrl() + "/login/authorize?")))
					.andExpect(header().string("Location", containsString("client_id=login-id")));

				OAuth2AuthorizedClientService authorizedClients = context.getBean(OAuth2AuthorizedClientService.class);
				Instant now = Instant.now();
				authorizedClients.saveAuthorizedClient(loginClient(context, "U1", now, now.plusSeconds(300)),
						new TestingAuthenticationToken("alice", "n/a"));
				mvc.perform(get("/login-client").header("Authorization", alice()))
					.andExpect(status().isOk())
					.andExpect(content().string("U1"));

				authorizedClients.saveAuthorizedClient(
						loginClient(context, "U1", now.minusSeconds(600), now.minusSeconds(300)),
						new TestingAuthenticationToken("alice", "n/a"));
				mvc.perform(get("/login-client").header("Authorization", alice()))
					.andExpect(status().isOk())
					.andExpect(content().string("U2"));
				assertThat(authorizedClients.<OAuth2AuthorizedClient>loadAuthorizedClient("login", "alice")
					.getAccessToken()
					.getTokenValue()).isEqualTo("U2");
				assertThat(count(server, postRequestedFor(urlPathEqualTo(LOGIN_TOKEN_PATH)))).isEqualTo(1);
				assertThat(count(server, tokenRequests())).as("the engine's provider was never asked").isZero();
			});
		}
	}

	@Test
	void aRejectionOfALoginsTokenRenewsItWithItsRefreshTokenInsteadOfRemovingTheClient() {
		server.stubFor(post(urlPathEqualTo(LOGIN_TOKEN_PATH)).withRequestBody(containing("grant_type=refresh_token"))
			.withRequestBody(containing("refresh_token=R1"))
			.willReturn(token("U2", 300)));
		this.withStarter.run((context) -> {
			OAuth2AuthorizedClientService authorizedClients = context.getBean(OAuth2AuthorizedClientService.class);
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", "n/a", "ROLE_USER");
			Instant now = Instant.now();
			authorizedClients.saveAuthorizedClient(loginClient(context, "U1", now, now.plusSeconds(300)), alice);
			mvc(context).perform(get("/login-client").header("Authorization", alice()))
				.andExpect(status().isOk())
				.andExpect(content().string("U1"));
			// What Spring's interceptor passes when it calls from within a web request.
			Map<String, Object> attributes = Map.of(HttpServletRequest.class.getName(), new MockHttpServletRequest(),
					HttpServletResponse.class.getName(), new MockHttpServletResponse());
			context.getBean(OAuth2AuthorizationFailureHandler.class)
				.onAuthorizationFailure(new ClientAuthorizationException(
						new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN), "login"), alice, attributes);
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(authorizedClients
					.<OAuth2AuthorizedClient>loadAuthorizedClient("login", "alice")
					.getAccessToken()
					.getTokenValue()).isEqualTo("U2"));
			mvc(context).perform(get("/login-client").header("Authorization", alice()))
				.andExpect(status().isOk())
				.andExpect(content().string("U2"));
		});
	}

	private static MockMvc mvc(WebApplicationContext context) {
		return MockMvcBuilders.webAppContextSetup(context)
			.addFilters(context.getBean("springSecurityFilterChain", Filter.class))
			.build();
	}

	private static OAuth2AuthorizedClient loginClient(WebApplicationContext context, String value, Instant issuedAt,
			Instant expiresAt) {
		return new OAuth2AuthorizedClient(
				context.getBean(ClientRegistrationRepository.class).findByRegistrationId("login"), "alice",
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, issuedAt, expiresAt),
				new OAuth2RefreshToken("R1", issuedAt));
	}

	private static String alice() {
		return "Basic " + Base64.getEncoder().encodeToString("alice:password".getBytes(StandardCharsets.UTF_8));
	}

	private static String[] loginRegistration() {
		return new String[] { "spring.security.oauth2.client.registration.login.client-id=login-id",
				"spring.security.oauth2.client.registration.login.client-secret=login-secret",
				"spring.security.oauth2.client.registration.login.authorization-grant-type=authorization_code",
				"spring.security.oauth2.client.registration.login.redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
				"spring.security.oauth2.client.registration.login.scope=profile",
				"spring.security.oauth2.client.registration.login.provider=login",
				"spring.security.oauth2.client.provider.login.authorization-uri=" + server.baseUrl() + "/login/authorize",
				"spring.security.oauth2.client.provider.login.token-uri=" + server.baseUrl() + LOGIN_TOKEN_PATH };
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	static class Application {

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.httpBasic(Customizer.withDefaults())
				.oauth2Client(Customizer.withDefaults())
				.build();
		}

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(
					User.withUsername("alice").password("{noop}password").roles("USER").build());
		}

		@Bean
		Clients clients() {
			return new Clients();
		}

	}

	@RestController
	static class Clients {

		@GetMapping("/acme")
		String acme(@RegisteredOAuth2AuthorizedClient("acme") OAuth2AuthorizedClient client) {
			return client.getAccessToken().getTokenValue();
		}

		@GetMapping("/login-client")
		String login(@RegisteredOAuth2AuthorizedClient("login") OAuth2AuthorizedClient client) {
			return client.getAccessToken().getTokenValue();
		}

	}

}
