package dev.tokenstarter.grant;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Token answers that must not be kept, through the whole engine: each is refused as {@code invalid_token_response}
 * without showing the token, nothing is cached, and the next good answer is the token the API gets. Before,
 * a token with a CR was cached and every API call then failed inside the HTTP client (no 401, so no renewal).
 */
class TokenResponseRefusalTests {

	private static final String NOMBA_ISSUE = "/v1/auth/token/issue";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

	static Stream<Arguments> refusedAnswers() {
		String body = "{\"access_token\":\"SECRET\",\"token_type\":\"Bearer\",\"expires_in\":300}";
		return Stream.of(
				Arguments.of("an access token with a CR", json("{\"access_token\":\"SECRET\\rX\",\"expires_in\":300}")),
				Arguments.of("an access token with CRLF",
						json("{\"access_token\":\"SECRET\\r\\nX-Injected: 1\",\"expires_in\":300}")),
				Arguments.of("a non-ASCII access token", json("{\"access_token\":\"SECRET\u00e9X\",\"expires_in\":300}")),
				Arguments.of("a refresh token with a LF",
						json("{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":\"SECRET\\nX\"}")),
				Arguments.of("an ID token with a NUL",
						json("{\"access_token\":\"A\",\"expires_in\":300,\"id_token\":\"SECRET\\u0000X\"}")),
				Arguments.of("access_token given twice",
						json("{\"access_token\":\"SECRET\",\"access_token\":\"OTHER\",\"expires_in\":300}")),
				Arguments.of("JSON labelled gzip", json(body).withHeader("Content-Encoding", "gzip")),
				Arguments.of("a real gzip body",
						aResponse().withStatus(200)
							.withHeader("Content-Type", "application/json")
							.withHeader("Content-Encoding", "gzip")
							.withBody(gzip(body))),
				Arguments.of("JSON labelled br", json(body).withHeader("Content-Encoding", "br")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedAnswers")
	void aRefusedAnswerIsNeverCachedAndTheApiGetsTheNextGoodToken(String description,
			ResponseDefinitionBuilder refused) {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, refused, token("GOOD", 300));
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(ok("hello")));
		EngineTestSupport.runner(server, this.clock, "acme").run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("acme");
			assertRefused(api);
			assertThat(context.getBean(TokenManager.class).cachedToken("acme")).isNull();
			this.clock.advance(Duration.ofSeconds(6));
			assertThat(call(api)).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			server.verify(1, getRequestedFor(urlPathEqualTo(API_PATH)));
			server.verify(getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Authorization", equalTo("Bearer GOOD")));
		});
	}

	static Stream<Arguments> toleratedAnswers() {
		return Stream.of(Arguments.of("no token_type", json("{\"access_token\":\"GOOD\",\"expires_in\":300}")),
				Arguments.of("JSON served as text/plain",
						aResponse().withStatus(200)
							.withHeader("Content-Type", "text/plain")
							.withBody("{\"access_token\":\"GOOD\",\"expires_in\":300}")),
				Arguments.of("Content-Encoding identity", token("GOOD", 300).withHeader("Content-Encoding", "identity")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("toleratedAnswers")
	void aToleratedAnswerIsUsed(String description, ResponseDefinitionBuilder tolerated) {
		server.stubFor(TokenStubs.tokenRequest().willReturn(tolerated));
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(ok("hello")));
		EngineTestSupport.runner(server, this.clock, "acme").run((context) -> {
			assertThat(call(context.getBean(TokenClients.class).webClient("acme"))).isEqualTo("hello");
			server.verify(getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Authorization", equalTo("Bearer GOOD")));
		});
	}

	@Test
	void tokenRequestsAskForAnUnencodedAnswer() {
		server.stubFor(TokenStubs.tokenRequest().willReturn(token("GOOD", 300)));
		EngineTestSupport.runner(server, this.clock, "acme")
			.run((context) -> context.getBean(TokenManager.class).token("acme").block());
		server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH)).withHeader("Accept-Encoding",
				equalTo("identity")));
	}

	static Stream<Arguments> refusedNombaAnswers() {
		return Stream.of(Arguments.of("an access token with a CR", "\"access_token\":\"SECRET\\rX\""),
				Arguments.of("a non-ASCII access token", "\"access_token\":\"SECRET\\u00e9X\""),
				Arguments.of("a refresh token with a LF", "\"access_token\":\"A\",\"refresh_token\":\"SECRET\\nX\""),
				Arguments.of("access_token given twice", "\"access_token\":\"SECRET\",\"access_token\":\"OTHER\""));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedNombaAnswers")
	void aRefusedNombaAnswerIsNeverCachedAndTheApiGetsTheNextGoodToken(String description, String members) {
		Instant expiresAt = this.clock.instant().plus(Duration.ofMinutes(30));
		TokenStubs.inSequence(server, () -> post(urlPathEqualTo(NOMBA_ISSUE)), nomba(members, expiresAt),
				nomba("\"access_token\":\"GOOD\",\"refresh_token\":\"R\"", expiresAt));
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(ok("hello")));
		nombaRunner().run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("nomba");
			assertRefused(api);
			assertThat(context.getBean(TokenManager.class).cachedToken("nomba")).isNull();
			this.clock.advance(Duration.ofSeconds(6));
			assertThat(call(api)).isEqualTo("hello");
			assertThat(count(server, postRequestedFor(urlPathEqualTo(NOMBA_ISSUE)))).isEqualTo(2);
			server.verify(1, getRequestedFor(urlPathEqualTo(API_PATH)));
			server.verify(getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Authorization", equalTo("Bearer GOOD")));
		});
	}

	private static void assertRefused(WebClient api) {
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> call(api)).satisfies((ex) -> {
			TokenAcquisitionException acquisition = TokenErrors.find(ex, TokenAcquisitionException.class);
			assertThat(acquisition).as("a TokenAcquisitionException, not %s", ex).isNotNull();
			assertThat(acquisition.getErrorCode()).isEqualTo(TokenEndpointException.INVALID_TOKEN_RESPONSE);
			assertThat(acquisition.getMessage()).doesNotContain("SECRET");
		});
		server.verify(0, getRequestedFor(urlPathEqualTo(API_PATH)));
	}

	private static String call(WebClient api) {
		return api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
	}

	private ApplicationContextRunner nombaRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, () -> this.clock)
			.withPropertyValues("token.providers.nomba.type=nomba", "token.providers.nomba.base-url=" + server.baseUrl(),
					"token.providers.nomba.account-id=account", "token.providers.nomba.client-id=client",
					"token.providers.nomba.client-secret=secret", "token.providers.nomba.retry.initial-backoff=20ms",
					"token.scheduler.enabled=false");
	}

	private static ResponseDefinitionBuilder nomba(String members, Instant expiresAt) {
		return json("{\"code\":\"00\",\"description\":\"Success\",\"data\":{" + members + ",\"expiresAt\":\""
				+ expiresAt + "\"}}");
	}

	private static byte[] gzip(String text) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
			out.write(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

}
