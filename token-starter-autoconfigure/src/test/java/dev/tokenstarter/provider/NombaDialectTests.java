package dev.tokenstarter.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Nomba ({@code type: nomba}), against a stub built from the examples of developer.nomba.com: JSON requests
 * with the accountId header, the {"code","description","data"} envelope, expiry from expiresAt, refresh with
 * the bearer token, issue again when a refresh is refused, camelCase revocation.
 */
class NombaDialectTests {

	private static final String ISSUE = "/v1/auth/token/issue";

	private static final String REFRESH = "/v1/auth/token/refresh";

	private static final String REVOKE = "/v1/auth/token/revoke";

	private static final String ACCOUNT = "890022ce-bae0-45c1-9b9d-ee7872e6ca27";

	private static final String CLIENT_ID = "2242b79d-f2cf-4ccc-ada1-e890bd1a9f0d";

	private static final String CLIENT_SECRET = "JFJ8yq3G4+DvjivJMsji0YkZBkkKdSdjifR+TgT9RLM=";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

	private final ApplicationContextRunner runner = runner("token.providers.nomba.base-url=" + server.baseUrl());

	private ApplicationContextRunner runner(String location) {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, () -> this.clock)
			.withPropertyValues("token.providers.nomba.type=nomba", location,
					"token.providers.nomba.account-id=" + ACCOUNT, "token.providers.nomba.client-id=" + CLIENT_ID,
					"token.providers.nomba.client-secret=" + CLIENT_SECRET,
					"token.providers.nomba.retry.initial-backoff=20ms", "token.scheduler.enabled=false");
	}

	@Test
	void issuesWithTheDocumentedJsonRequestAndTakesTheExpiryFromExpiresAt() {
		Instant expiresAt = this.clock.instant().plus(Duration.ofMinutes(30));
		server.stubFor(issue().willReturn(envelope("T1", "R1", expiresAt)));
		this.runner.run((context) -> {
			ManagedToken token = context.getBean(TokenManager.class).token("nomba").block();
			assertThat(token.accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(token.accessToken().getExpiresAt()).isEqualTo(expiresAt);
			assertThat(token.authorizedClient().getRefreshToken().getTokenValue()).isEqualTo("R1");
			// Nomba asks for a refresh at least 5 minutes before expiry.
			assertThat(token.staleAt()).isBeforeOrEqualTo(expiresAt.minus(Duration.ofMinutes(5)));
			server.verify(postRequestedFor(urlPathEqualTo(ISSUE)).withHeader("accountId", equalTo(ACCOUNT))
				.withHeader("Content-Type", equalTo("application/json"))
				.withHeader("Authorization", absent())
				.withRequestBody(equalToJson("{\"grant_type\":\"client_credentials\",\"client_id\":\"" + CLIENT_ID
						+ "\",\"client_secret\":\"" + CLIENT_SECRET + "\"}")));
		});
	}

	@Test
	void refreshesWithTheBearerTokenAndKeepsEachNewRefreshToken() {
		Instant now = this.clock.instant();
		server.stubFor(issue().willReturn(envelope("T1", "R1", now.plus(Duration.ofMinutes(30)))));
		server.stubFor(refresh().withRequestBody(equalToJson("{\"grant_type\":\"refresh_token\",\"refresh_token\":\"R1\"}"))
			.willReturn(envelope("T2", "R2", now.plus(Duration.ofMinutes(60)))));
		server.stubFor(refresh().withRequestBody(equalToJson("{\"grant_type\":\"refresh_token\",\"refresh_token\":\"R2\"}"))
			.willReturn(envelope("T3", "R3", now.plus(Duration.ofMinutes(90)))));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("nomba").block().accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofMinutes(30));
			assertThat(tokens.token("nomba").block().accessToken().getTokenValue()).isEqualTo("T2");
			this.clock.advance(Duration.ofMinutes(30));
			ManagedToken third = tokens.token("nomba").block();
			assertThat(third.accessToken().getTokenValue()).isEqualTo("T3");
			assertThat(third.authorizedClient().getRefreshToken().getTokenValue()).isEqualTo("R3");
			server.verify(postRequestedFor(urlPathEqualTo(REFRESH)).withHeader("Authorization", equalTo("Bearer T1"))
				.withHeader("accountId", equalTo(ACCOUNT))
				.withHeader("Content-Type", equalTo("application/json")));
			server.verify(postRequestedFor(urlPathEqualTo(REFRESH)).withHeader("Authorization", equalTo("Bearer T2")));
			assertThat(count(server, postRequestedFor(urlPathEqualTo(ISSUE)))).isEqualTo(1);
		});
	}

	static Stream<Arguments> refusedRefreshes() {
		return Stream.of(Arguments.of("code 02 on HTTP 200", json("{\"code\":\"02\",\"description\":\"Token expired\"}")),
				Arguments.of("HTTP 401", aResponse().withStatus(401)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"code\":\"401\",\"description\":\"Unauthorized\"}")),
				Arguments.of("HTTP 400", aResponse().withStatus(400)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedRefreshes")
	void aRefusedRefreshIssuesANewTokenOnce(String description, ResponseDefinitionBuilder refusal) {
		Instant now = this.clock.instant();
		server.stubFor(issue().inScenario("issue")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(envelope("T1", "R1", now.plus(Duration.ofMinutes(30))))
			.willSetStateTo("again"));
		server.stubFor(issue().inScenario("issue")
			.whenScenarioStateIs("again")
			.willReturn(envelope("T2", "R2", now.plus(Duration.ofMinutes(90)))));
		server.stubFor(refresh().willReturn(refusal));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("nomba").block();
			this.clock.advance(Duration.ofMinutes(31));
			assertThat(tokens.token("nomba").block().accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(count(server, postRequestedFor(urlPathEqualTo(REFRESH)))).isEqualTo(1);
			assertThat(count(server, postRequestedFor(urlPathEqualTo(ISSUE)))).isEqualTo(2);
		});
	}

	@Test
	void revokesWithTheCamelCaseBodyAndForgetsTheToken() {
		server.stubFor(issue().willReturn(envelope("T1", "R1", this.clock.instant().plus(Duration.ofMinutes(30)))));
		server.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(json("{\"code\":\"00\",\"description\":\"Success\"}")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken token = tokens.token("nomba").block();
			tokens.revoke("nomba").block();
			server.verify(postRequestedFor(urlPathEqualTo(REVOKE)).withHeader("accountId", equalTo(ACCOUNT))
				.withRequestBody(equalToJson("{\"clientId\":\"" + CLIENT_ID + "\",\"access_token\":\"T1\"}")));
			assertThat(tokens.cachedToken("nomba")).isNull();
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.loadAuthorizedClient("nomba", token.authorizedClient().getPrincipalName())
				.block()).isNull();
		});
	}

	@Test
	void aNonSuccessCodeOnHttp200IsAnErrorCarryingCodeAndDescription() {
		server.stubFor(issue().willReturn(json("{\"code\":\"01\",\"description\":\"Invalid credentials\"}")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("nomba").block())
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("invalid_client");
					assertThat(ex.getMessage()).contains("Nomba code 01: Invalid credentials").doesNotContain(CLIENT_SECRET);
					assertThat(ex.isTransientFailure()).isFalse();
				});
			assertThat(tokens.cachedToken("nomba")).isNull();
			assertThat(count(server, postRequestedFor(urlPathEqualTo(ISSUE)))).isEqualTo(1);
		});
	}

	@Test
	void tooManyRequestsBacksOffAndRetries() {
		server.stubFor(issue().inScenario("busy")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0"))
			.willSetStateTo("free"));
		server.stubFor(issue().inScenario("busy")
			.whenScenarioStateIs("free")
			.willReturn(envelope("T1", "R1", this.clock.instant().plus(Duration.ofMinutes(30)))));
		this.runner.run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("nomba").block().accessToken().getTokenValue())
				.isEqualTo("T1");
			assertThat(count(server, postRequestedFor(urlPathEqualTo(ISSUE)))).isEqualTo(2);
		});
	}

	static Stream<Arguments> malformedEnvelopes() {
		String future = "\"" + Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS) + "\"";
		return Stream.of(Arguments.of("a plain OAuth2 answer", json("{\"access_token\":\"T1\",\"expires_in\":1800}")),
				Arguments.of("no data", json("{\"code\":\"00\",\"description\":\"Success\"}")),
				Arguments.of("no access_token", json("{\"code\":\"00\",\"data\":{\"expiresAt\":" + future + "}}")),
				Arguments.of("no expiresAt", json("{\"code\":\"00\",\"data\":{\"access_token\":\"T1\"}}")),
				Arguments.of("an unparseable expiresAt",
						json("{\"code\":\"00\",\"data\":{\"access_token\":\"T1\",\"expiresAt\":\"tomorrow\"}}")),
				Arguments.of("an expiresAt without offset",
						json("{\"code\":\"00\",\"data\":{\"access_token\":\"T1\",\"expiresAt\":\"2030-01-01T10:00:00\"}}")),
				Arguments.of("a past expiresAt",
						json("{\"code\":\"00\",\"data\":{\"access_token\":\"T1\",\"expiresAt\":\"2022-07-08T14:33:00Z\"}}")),
				Arguments.of("not JSON", aResponse().withStatus(200).withBody("<html>maintenance</html>")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedEnvelopes")
	void aMalformedEnvelopeIsRejectedAndNothingIsStored(String description, ResponseDefinitionBuilder malformed) {
		server.stubFor(issue().willReturn(malformed));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("nomba").block())
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_token_response"));
			assertThat(tokens.cachedToken("nomba")).isNull();
			assertThat(count(server, postRequestedFor(urlPathEqualTo(ISSUE)))).isEqualTo(1);
		});
	}

	@Test
	void apiCallsCarryTheAccountIdAndTheBearerToken() {
		server.stubFor(issue().willReturn(envelope("T1", "R1", this.clock.instant().plus(Duration.ofMinutes(30)))));
		server.stubFor(get(urlPathEqualTo("/v1/accounts/balance")).withHeader("accountId", equalTo(ACCOUNT))
			.withHeader("Authorization", equalTo("Bearer T1"))
			.willReturn(ok("{\"code\":\"00\"}")));
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			assertThat(clients.webClient("nomba").get().uri("/v1/accounts/balance").retrieve().bodyToMono(String.class)
				.block()).contains("00");
			assertThat(clients.restClient("nomba").get().uri("/v1/accounts/balance").retrieve().body(String.class))
				.contains("00");
			server.verify(2, getRequestedFor(urlPathEqualTo("/v1/accounts/balance")));
		});
	}

	@Test
	void theSandboxPresetNeedsNoBaseUrl() {
		runner("token.providers.nomba.nomba-environment=sandbox").run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TokenClientRegistrationRepository.class)
					.findByRegistrationId("nomba")
					.block()
					.getProviderDetails()
					.getTokenUri()).isEqualTo("https://sandbox.nomba.com/v1/auth/token/issue");
				assertThat(count(server, anyRequestedFor(urlPathMatching("/v1/.*")))).isZero();
			});
	}

	private static MappingBuilder issue() {
		return post(urlPathEqualTo(ISSUE));
	}

	private static MappingBuilder refresh() {
		return post(urlPathEqualTo(REFRESH));
	}

	private static ResponseDefinitionBuilder envelope(String accessToken, String refreshToken, Instant expiresAt) {
		return json("{\"code\":\"00\",\"description\":\"Success\",\"data\":{\"businessId\":"
				+ "\"01a10aeb-d989-460a-bbde-9842f2b4320f\",\"access_token\":\"" + accessToken + "\",\"refresh_token\":\""
				+ refreshToken + "\",\"expiresAt\":\"" + expiresAt + "\"}}");
	}

}
