package dev.tokenstarter.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.web.client.RestClient;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenAuthorizedClientManagerAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenOAuth2ClientAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.client.SubjectTokenKeys;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.AuthorizationServer;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.Threads;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver.clientRegistrationId;

/**
 * Token exchange against Spring Authorization Server in the test JVM: the subject tokens are real access tokens
 * of the server, exchanged by the starter for tokens of a downstream audience; the verdicts come from the
 * server's count of exchange requests and from the exchanged JWTs, checked with the server's keys.
 */
class TokenExchangeAuthorizationServerTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static AuthorizationServer server;

	@RegisterExtension
	static final WireMockExtension api = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@BeforeAll
	static void startServer() {
		server = AuthorizationServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@BeforeEach
	void resetCount() {
		server.resetCount();
	}

	private ApplicationContextRunner starter() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenEngineAutoConfiguration.class,
					TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, Clock::systemUTC)
			.withPropertyValues(providerProperties());
	}

	private static String[] providerProperties() {
		return new String[] { "token.providers.orders.token-uri=" + server.tokenUri(),
				"token.providers.orders.client-id=" + AuthorizationServer.GATEWAY,
				"token.providers.orders.client-secret=" + AuthorizationServer.GATEWAY_SECRET,
				"token.providers.orders.grant-type=token-exchange", "token.providers.orders.audience=orders-api",
				"token.providers.orders.base-url=" + api.baseUrl(), "token.scheduler.enabled=false",
				"token.defaults.refresh.max-caller-wait=30s" };
	}

	@Test
	void manyThreadsWithTheSameSubjectMakeOneExchange() {
		OAuth2AccessToken alice = server.subjectToken("alice");
		TokenKey key = TokenKey.forProvider("orders").subjectToken(alice).build();
		starter().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			List<String> values = Threads.runTogether(48,
					() -> tokens.token(TokenKey.forProvider("orders").subjectToken(alice).build())
						.block(BOUND)
						.accessToken()
						.getTokenValue());
			assertThat(values).hasSize(48).containsOnly(values.get(0));
			assertThat(server.exchangeCount()).isEqualTo(1);
			Jwt exchanged = server.decoder().decode(values.get(0));
			assertThat(exchanged.getTokenValue()).isNotEqualTo(alice.getTokenValue());
			assertThat(exchanged.getSubject()).isEqualTo("alice");
			assertThat(exchanged.getAudience()).containsExactly("orders-api");
			// Impersonation: no actor token was sent, so the server names no actor.
			assertThat(exchanged.hasClaim("act")).isFalse();
			assertThat(tokens.usableToken(key).accessToken().getTokenValue()).isEqualTo(values.get(0));
		});
	}

	@Test
	void eachSubjectAndAudienceGetsItsOwnToken() {
		OAuth2AccessToken alice = server.subjectToken("alice");
		OAuth2AccessToken bob = server.subjectToken("bob");
		starter().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			List<Callable<String[]>> calls = new ArrayList<>();
			for (int i = 0; i < 60; i++) {
				String who = (i % 2 == 0) ? "alice" : "bob";
				OAuth2AccessToken subject = (i % 2 == 0) ? alice : bob;
				String audience = (i % 3 == 0) ? "payments-api" : "orders-api";
				calls.add(() -> new String[] { who, audience,
						tokens.token(TokenKey.forProvider("orders").subjectToken(subject).audience(audience).build())
							.block(BOUND)
							.accessToken()
							.getTokenValue() });
			}
			List<String[]> results = Threads.runTogether(calls);
			for (String[] result : results) {
				Jwt token = server.decoder().decode(result[2]);
				assertThat(token.getSubject()).as("the token handed to %s", result[0]).isEqualTo(result[0]);
				assertThat(token.getAudience()).containsExactly(result[1]);
			}
			assertThat(results.stream().map((result) -> result[2]).distinct()).hasSize(4);
			assertThat(server.exchangeCount()).isEqualTo(4);
		});
	}

	/**
	 * A {@code spring.security.oauth2.client.registration} entry with the token exchange grant, called through
	 * Spring Security's own interceptor: the engine exchanges the caller's token once for every thread, keyed by
	 * that token, as it does for its own providers (Spring's default manager would exchange once per call).
	 */
	@Test
	void springsInterceptorOnASpringSecurityTokenExchangeRegistrationExchangesOncePerSubject() {
		Jwt alice = server.decoder().decode(server.subjectToken("alice").getTokenValue());
		api.stubFor(get(urlEqualTo("/orders")).willReturn(aResponse().withStatus(200).withBody("ok")));
		String registration = "spring.security.oauth2.client.registration.orders-spring.";
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(OAuth2ClientAutoConfiguration.class,
					OAuth2ClientWebSecurityAutoConfiguration.class, TokenOAuth2ClientAutoConfiguration.class,
					TokenEngineAutoConfiguration.class, TokenAuthorizedClientManagerAutoConfiguration.class))
			.withBean(Clock.class, Clock::systemUTC)
			.withPropertyValues(registration + "provider=spring-as",
					registration + "client-id=" + AuthorizationServer.GATEWAY,
					registration + "client-secret=" + AuthorizationServer.GATEWAY_SECRET,
					registration + "authorization-grant-type=" + AuthorizationGrantType.TOKEN_EXCHANGE.getValue(),
					"spring.security.oauth2.client.provider.spring-as.token-uri=" + server.tokenUri(),
					"token.scheduler.enabled=false", "token.defaults.refresh.max-caller-wait=30s")
			.run((context) -> {
				RestClient orders = RestClient.builder()
					.baseUrl(api.baseUrl())
					.requestInterceptor(new OAuth2ClientHttpRequestInterceptor(
							context.getBean(OAuth2AuthorizedClientManager.class)))
					.build();
				List<String> answers = Threads.runTogether(24, () -> {
					SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(alice));
					try {
						return orders.get()
							.uri("/orders")
							.attributes(clientRegistrationId("orders-spring"))
							.retrieve()
							.body(String.class);
					}
					finally {
						SecurityContextHolder.clearContext();
					}
				});
				assertThat(answers).hasSize(24).containsOnly("ok");
				assertThat(server.exchangeCount()).isEqualTo(1);
				List<String> sent = api.findAll(getRequestedFor(urlEqualTo("/orders")))
					.stream()
					.map((request) -> request.getHeader("Authorization").substring("Bearer ".length()))
					.distinct()
					.toList();
				assertThat(sent).hasSize(1);
				assertThat(sent.get(0)).isNotEqualTo(alice.getTokenValue());
				assertThat(server.decoder().decode(sent.get(0)).getSubject()).isEqualTo("alice");
				TokenKey key = TokenKey.forProvider("orders-spring").subjectToken(alice).build();
				assertThat(context.getBean(TokenManager.class).usableToken(key).accessToken().getTokenValue())
					.isEqualTo(sent.get(0));
			});
	}

	@Test
	void aResourceServersCallCarriesTheExchangedTokenOfItsUser() {
		Jwt alice = server.decoder().decode(server.subjectToken("alice").getTokenValue());
		api.stubFor(get(urlEqualTo("/orders")).willReturn(aResponse().withStatus(200).withBody("ok")));
		starter().run((context) -> {
			SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(alice));
			try {
				String answer = context.getBean(TokenClients.class)
					.restClient("orders")
					.get()
					.uri("/orders")
					.attributes(SubjectTokenKeys.currentUser("orders"))
					.retrieve()
					.body(String.class);
				assertThat(answer).isEqualTo("ok");
			}
			finally {
				SecurityContextHolder.clearContext();
			}
			String sent = api.findAll(getRequestedFor(urlEqualTo("/orders")))
				.get(0)
				.getHeader("Authorization")
				.substring("Bearer ".length());
			Jwt exchanged = server.decoder().decode(sent);
			assertThat(sent).isNotEqualTo(alice.getTokenValue());
			assertThat(exchanged.getSubject()).isEqualTo("alice");
			assertThat(exchanged.getAudience()).containsExactly("orders-api");
			assertThat(server.exchangeCount()).isEqualTo(1);
		});
	}

	@Test
	void aFleetOnRedisExchangesOnceAndStoresNeitherTokenInPlainText() {
		OAuth2AccessToken alice = server.subjectToken("alice");
		RedisServer redis = redisServer.server();
		ApplicationContextRunner instance = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class, TokenEngineAutoConfiguration.class,
					TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, Clock::systemUTC)
			.withPropertyValues(providerProperties())
			.withPropertyValues("spring.data.redis.url=" + redis.url(),
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY);
		instance.run((first) -> instance.run((second) -> {
			List<TokenManager> fleet = List.of(first.getBean(TokenManager.class), second.getBean(TokenManager.class));
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				TokenManager tokens = fleet.get(i % 2);
				calls.add(() -> tokens.token(TokenKey.forProvider("orders").subjectToken(alice).build())
					.block(BOUND)
					.accessToken()
					.getTokenValue());
			}
			List<String> values = Threads.runTogether(calls);
			assertThat(values).containsOnly(values.get(0));
			assertThat(server.exchangeCount()).isEqualTo(1);
			List<String> keys = redis.command("KEYS", "*");
			StringBuilder everything = new StringBuilder(String.join("\n", keys));
			for (String key : keys) {
				String type = redis.command("TYPE", key).get(0);
				List<String> dump = switch (type) {
					case "string" -> redis.command("GET", key);
					case "hash" -> redis.command("HGETALL", key);
					default -> List.of();
				};
				everything.append('\n').append(String.join("\n", dump));
			}
			assertThat(everything.toString()).doesNotContain(alice.getTokenValue())
				.doesNotContain(values.get(0))
				// Not even a token's signature, which a partial copy would leak.
				.doesNotContain(alice.getTokenValue().substring(alice.getTokenValue().lastIndexOf('.') + 1))
				.doesNotContain(values.get(0).substring(values.get(0).lastIndexOf('.') + 1));
			assertThat(keys).anyMatch((key) -> key.contains("subject-token:" + sha256(alice.getTokenValue())));
		}));
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
