package dev.tokenstarter.provider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.refreshRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static dev.tokenstarter.test.TokenStubs.tokenWithRefresh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * WSO2 API Manager ({@code type: wso2}): the password grant Spring Security 7 dropped, single-use refresh
 * tokens, silent re-login when a refresh is refused, the gateway's 900901 rejections and RFC 7009 revocation,
 * with the password kept out of the store and the logs.
 */
@ExtendWith(OutputCaptureExtension.class)
class Wso2PasswordGrantTests {

	private static final String PASSWORD = "pa55-w0rd-never-shown";

	/** Long enough never to occur by chance in a log line or a timestamp (as "T1" does at 11:00Z). */
	private static final String TOKEN = "wso2-access-token-7f3a9c";

	private static final String REVOKE_PATH = "/oauth2/revoke";

	/** WSO2 4.x gateway: flat JSON. */
	private static final String FLAT_900901 = "{\"code\":\"900901\",\"message\":\"Invalid Credentials\","
			+ "\"description\":\"Invalid Credentials. Make sure you have provided the correct security credentials\"}";

	/** Older gateways: the fault wrapper with a numeric code. */
	private static final String NESTED_900901 = "{\"fault\":{\"code\":900901,\"message\":\"Invalid Credentials\","
			+ "\"description\":\"Access failure for API: /api, version: v1 status: (900901)\"}}";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private ApplicationContextRunner runner;

	private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

	@BeforeEach
	void setUp() {
		this.runner = EngineTestSupport.runner(server, this.clock, "wso2")
			.withPropertyValues("token.providers.wso2.type=wso2", "token.providers.wso2.username=svc-payments",
					"token.providers.wso2.password=" + PASSWORD, "token.providers.wso2.scopes=payments",
					"token.providers.wso2.revoke-uri=" + server.baseUrl() + REVOKE_PATH);
		// Everything the starter and Spring Security log goes to the captured output, at the finest level.
		this.logging.setLogLevel("dev.tokenstarter", LogLevel.TRACE);
		this.logging.setLogLevel("org.springframework.security", LogLevel.TRACE);
	}

	@AfterEach
	void resetLogging() {
		this.logging.setLogLevel("dev.tokenstarter", null);
		this.logging.setLogLevel("org.springframework.security", null);
	}

	@Test
	void passwordGrantRequestHasTheDocumentedShapeAndThePasswordIsNeitherStoredNorLogged(CapturedOutput output) {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh(TOKEN, 3600, "R1")));
		this.runner.run((context) -> {
			ManagedToken token = context.getBean(TokenManager.class).token("wso2").block();
			assertThat(token.accessToken().getTokenValue()).isEqualTo(TOKEN);
			server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withHeader("Authorization", equalTo("Basic Y2xpZW50LXdzbzI6c2VjcmV0LXdzbzI="))
				.withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
				.withRequestBody(containing("grant_type=password"))
				.withRequestBody(containing("username=svc-payments"))
				.withRequestBody(containing("password=" + PASSWORD))
				.withRequestBody(containing("scope=payments"))
				.withRequestBody(notContaining("client_secret")));
			OAuth2AuthorizedClient stored = context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.loadAuthorizedClient("wso2", token.authorizedClient().getPrincipalName())
				.block();
			assertThat(stored.getRefreshToken().getTokenValue()).isEqualTo("R1");
			assertThat(new String(serialize(stored), StandardCharsets.ISO_8859_1)).contains(TOKEN).doesNotContain(PASSWORD);
			assertThat(token.toString()).doesNotContain(PASSWORD, TOKEN);
		});
		assertThat(output).contains("Token of provider 'wso2' obtained").doesNotContain(PASSWORD);
	}

	@Test
	void refreshTokensRotateAndThePasswordIsNotSentAgain() {
		server.stubFor(tokenRequest().withRequestBody(containing("grant_type=password"))
			.willReturn(tokenWithRefresh("T1", 300, "R1")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R1"))
			.willReturn(tokenWithRefresh("T2", 300, "R2")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R2"))
			.willReturn(tokenWithRefresh("T3", 300, "R3")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("wso2").block().accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofSeconds(301));
			assertThat(tokens.token("wso2").block().accessToken().getTokenValue()).isEqualTo("T2");
			this.clock.advance(Duration.ofSeconds(301));
			ManagedToken third = tokens.token("wso2").block();
			assertThat(third.accessToken().getTokenValue()).isEqualTo("T3");
			assertThat(third.authorizedClient().getRefreshToken().getTokenValue()).isEqualTo("R3");
			assertThat(count(server, postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withRequestBody(containing("grant_type=password")))).isEqualTo(1);
			server.verify(2, postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withRequestBody(containing("grant_type=refresh_token"))
				.withRequestBody(notContaining("password")));
		});
	}

	@Test
	void refusedRefreshSignsInAgainWithThePasswordWithoutBotheringTheCaller() {
		server.stubFor(tokenRequest().withRequestBody(containing("grant_type=password"))
			.inScenario("login")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(tokenWithRefresh("T1", 300, "R1"))
			.willSetStateTo("logged-in"));
		server.stubFor(tokenRequest().withRequestBody(containing("grant_type=password"))
			.inScenario("login")
			.whenScenarioStateIs("logged-in")
			.willReturn(tokenWithRefresh("T2", 300, "R2")));
		// Revoked after a logout elsewhere: WSO2 answers 400 invalid_grant.
		server.stubFor(refreshRequest().willReturn(error(400, "invalid_grant")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("wso2").block().accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofSeconds(301));
			ManagedToken relogged = tokens.token("wso2").block();
			assertThat(relogged.accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(relogged.authorizedClient().getRefreshToken().getTokenValue()).isEqualTo("R2");
			assertThat(count(server, postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withRequestBody(containing("grant_type=password")))).isEqualTo(2);
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	@Test
	void invalidClientIsAClearErrorAndIsNotRetried(CapturedOutput output) {
		server.stubFor(tokenRequest().willReturn(error(401, "invalid_client")));
		this.runner.run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("wso2").block())
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("invalid_client");
					assertThat(ex.getMessage()).contains("'wso2'").doesNotContain(PASSWORD, "secret-wso2");
				});
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
		assertThat(output).doesNotContain(PASSWORD);
	}

	@Test
	void gateway900901InFlatJsonRenewsTheTokenAndRetriesOnceOnWebClient(CapturedOutput output) {
		stubRejectionOfT1(FLAT_900901);
		this.runner.run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("wso2");
			assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("hello");
			assertThat(count(server, getRequestedFor(urlPathEqualTo(API_PATH)))).isEqualTo(2);
			server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Accept", equalTo("application/json")));
		});
		assertThat(output).contains("provider 'wso2' rejected its token: HTTP 401 with code 900901 (Invalid Credentials)");
	}

	@Test
	void gateway900901InTheNestedFaultShapeRenewsTheTokenAndRetriesOnceOnRestClient(CapturedOutput output) {
		stubRejectionOfT1(NESTED_900901);
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("wso2");
			assertThat(api.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("hello");
			assertThat(count(server, getRequestedFor(urlPathEqualTo(API_PATH)))).isEqualTo(2);
			server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Accept", equalTo("application/json")));
		});
		assertThat(output).contains("provider 'wso2' rejected its token: HTTP 401 with code 900901 (Invalid Credentials)");
	}

	@Test
	void gatewayXmlFaultIsReadToo(CapturedOutput output) {
		stubRejectionOfT1("<ams:fault xmlns:ams=\"http://wso2.org/apimanager/security\"><ams:code>900901</ams:code>"
				+ "<ams:message>Invalid Credentials</ams:message></ams:fault>");
		this.runner.run((context) -> assertThat(context.getBean(TokenClients.class)
			.webClient("wso2")
			.get()
			.uri(API_PATH)
			.retrieve()
			.bodyToMono(String.class)
			.block()).isEqualTo("hello"));
		assertThat(output).contains("HTTP 401 with code 900901 (Invalid Credentials)");
	}

	@Test
	void revokeSendsRfc7009RequestsAndForgetsTheToken() {
		server.stubFor(tokenRequest().inScenario("login")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(tokenWithRefresh("T1", 3600, "R1"))
			.willSetStateTo("again"));
		server.stubFor(tokenRequest().inScenario("login").whenScenarioStateIs("again")
			.willReturn(tokenWithRefresh("T2", 3600, "R2")));
		server.stubFor(post(urlPathEqualTo(REVOKE_PATH)).willReturn(ok()));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("wso2").block();
			tokens.revoke("wso2").block();
			server.verify(postRequestedFor(urlPathEqualTo(REVOKE_PATH))
				.withHeader("Authorization", equalTo("Basic Y2xpZW50LXdzbzI6c2VjcmV0LXdzbzI="))
				.withRequestBody(equalTo("token=R1&token_type_hint=refresh_token")));
			server.verify(postRequestedFor(urlPathEqualTo(REVOKE_PATH))
				.withRequestBody(equalTo("token=T1&token_type_hint=access_token")));
			assertThat(tokens.cachedToken("wso2")).isNull();
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.loadAuthorizedClient("wso2", first.authorizedClient().getPrincipalName())
				.block()).isNull();
			assertThat(tokens.token("wso2").block().accessToken().getTokenValue()).isEqualTo("T2");
		});
	}

	@Test
	void aFailedRevocationIsLoggedAndTheTokenForgottenAnyway(CapturedOutput output) {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh("T1", 3600, "R1")));
		server.stubFor(post(urlPathEqualTo(REVOKE_PATH)).willReturn(aResponse().withStatus(500)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("wso2").block();
			tokens.revoke("wso2").block();
			assertThat(tokens.cachedToken("wso2")).isNull();
		});
		assertThat(output).contains("Could not revoke the token of provider 'wso2': revocation_failed")
			.doesNotContain("R1", PASSWORD);
	}

	/**
	 * A provider that refuses to revoke refresh tokens ({@code unsupported_token_type}, RFC 7009 2.2.1): the access
	 * token is still revoked, or it stays valid until it expires.
	 */
	@Test
	void anAccessTokenIsRevokedEvenWhenTheRefreshTokensRevocationIsRefused(CapturedOutput output) {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh("T1", 3600, "R1")));
		server.stubFor(post(urlPathEqualTo(REVOKE_PATH)).withRequestBody(containing("token_type_hint=refresh_token"))
			.willReturn(aResponse().withStatus(400)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"error\":\"unsupported_token_type\"}")));
		server.stubFor(post(urlPathEqualTo(REVOKE_PATH)).withRequestBody(containing("token_type_hint=access_token"))
			.willReturn(ok()));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("wso2").block();
			tokens.revoke("wso2").block();
			server.verify(postRequestedFor(urlPathEqualTo(REVOKE_PATH))
				.withRequestBody(equalTo("token=T1&token_type_hint=access_token")));
			assertThat(tokens.cachedToken("wso2")).isNull();
		});
		assertThat(output).contains("Could not revoke the token of provider 'wso2': revocation_failed")
			.doesNotContain("R1", PASSWORD);
	}

	@Test
	void revokeOnShutdownRevokesHeldTokensWhenTheContextCloses() {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh("T1", 3600, "R1")));
		server.stubFor(post(urlPathEqualTo(REVOKE_PATH)).willReturn(ok()));
		this.runner.withPropertyValues("token.providers.wso2.revoke-on-shutdown=true")
			.run((context) -> context.getBean(TokenManager.class).token("wso2").block());
		server.verify(postRequestedFor(urlPathEqualTo(REVOKE_PATH))
			.withRequestBody(equalTo("token=T1&token_type_hint=access_token")));
	}

	@Test
	void withoutRevokeOnShutdownNothingIsRevoked() {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh("T1", 3600, "R1")));
		this.runner.run((context) -> context.getBean(TokenManager.class).token("wso2").block());
		server.verify(0, postRequestedFor(urlPathEqualTo(REVOKE_PATH)));
	}

	private static void stubRejectionOfT1(String body) {
		server.stubFor(tokenRequest().withRequestBody(containing("grant_type=password"))
			.willReturn(tokenWithRefresh("T1", 3600, "R1")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R1"))
			.willReturn(tokenWithRefresh("T2", 3600, "R2")));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401)
			.withHeader("Content-Type", body.startsWith("<") ? "application/xml" : "application/json")
			.withBody(body)));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		server.stubFor(apiWith("T2").withHeader("Accept", absent()).willReturn(aResponse().withStatus(406)));
	}

	private static byte[] serialize(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

}
