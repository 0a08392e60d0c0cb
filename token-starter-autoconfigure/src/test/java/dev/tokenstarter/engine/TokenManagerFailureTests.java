package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.refreshRequest;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static dev.tokenstarter.test.TokenStubs.tokenWithRefresh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * How the engine behaves when the provider fails, refuses or answers nonsense.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenManagerFailureTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme");

	@Test
	void transientFailuresAreRetriedWithBackoffUntilTheProviderAnswers() {
		inSequence(aResponse().withStatus(503).withBody("<html>down</html>"),
				aResponse().withStatus(503).withBody("<html>down</html>"), token("T1", 300));
		this.runner.run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("T1");
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	@Test
	void connectionResetIsRetried() {
		inSequence(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), token("T1", 300));
		this.runner.run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("T1");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void retryAfterOfA429IsHonoured() {
		inSequence(aResponse().withStatus(429).withHeader("Retry-After", "1"), token("T1", 300));
		this.runner.run((context) -> {
			long start = System.nanoTime();
			assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("T1");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	/**
	 * A Retry-After is the least a provider asks to be left alone, never less than the backoff: taken as it is, a
	 * {@code Retry-After: 0} sent every attempt back to back.
	 */
	@Test
	void aRetryAfterShorterThanTheBackoffWaitsTheBackoff() {
		inSequence(aResponse().withStatus(429).withHeader("Retry-After", "0"), token("T1", 300));
		this.runner
			.withPropertyValues("token.providers.acme.retry.initial-backoff=600ms",
					"token.providers.acme.retry.max-backoff=600ms", "token.providers.acme.retry.jitter=0")
			.run((context) -> {
				long start = System.nanoTime();
				assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
					.isEqualTo("T1");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(550));
				assertThat(count(server, tokenRequests())).isEqualTo(2);
			});
	}

	@Test
	void attemptsAreBounded() {
		server.stubFor(tokenRequest().willReturn(aResponse().withStatus(502)));
		this.runner.withPropertyValues("token.providers.acme.retry.max-attempts=3").run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("acme").block())
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("server_error");
					assertThat(ex.isTransientFailure()).isTrue();
				});
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	@Test
	void invalidClientFailsAtOnceWithAClearError() {
		server.stubFor(tokenRequest().willReturn(error(401, "invalid_client")));
		this.runner.run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("acme").block())
				.satisfies((ex) -> {
					assertThat(ex.getProvider()).isEqualTo("acme");
					assertThat(ex.getErrorCode()).isEqualTo("invalid_client");
					assertThat(ex.getMessage()).contains("'acme'", "invalid_client", "described invalid_client")
						.doesNotContain("secret-acme");
				});
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void refreshTokenIsUsedAndARotatedOneKept() {
		server.stubFor(clientCredentialsRequest().willReturn(tokenWithRefresh("T1", 300, "R1")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R1"))
			.willReturn(tokenWithRefresh("T2", 300, "R2")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R2")).willReturn(token("T3", 300)));
		this.runner.run((context) -> {
			ManagedToken third = threeLifetimes(context.getBean(TokenManager.class));
			// A refresh answer without a refresh token keeps the one that was used.
			assertThat(third.authorizedClient().getRefreshToken().getTokenValue()).isEqualTo("R2");
		});
	}

	@Test
	void aRefreshTokenPastItsStatedLifetimeIsNotPresented() {
		TokenStubs.inSequence(server, TokenStubs::clientCredentialsRequest,
				json("{\"access_token\":\"T1\",\"expires_in\":300,\"refresh_token\":\"R1\",\"refresh_expires_in\":200}"),
				token("T2", 300));
		server.stubFor(refreshRequest().willReturn(token("REFRESHED", 300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			this.clock.advance(Duration.ofSeconds(301));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(count(server, postRequestedFor(urlPathEqualTo("/token"))
				.withRequestBody(containing("grant_type=refresh_token")))).isZero();
		});
	}

	@Test
	void aRefreshTokenWithinItsStatedLifetimeIsUsed() {
		server.stubFor(clientCredentialsRequest().willReturn(
				json("{\"access_token\":\"T1\",\"expires_in\":300,\"refresh_token\":\"R1\",\"refresh_expires_in\":1800}")));
		server.stubFor(refreshRequest().willReturn(token("REFRESHED", 300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			this.clock.advance(Duration.ofSeconds(301));
			ManagedToken refreshed = tokens.token("acme").block();
			assertThat(refreshed.accessToken().getTokenValue()).isEqualTo("REFRESHED");
			// No new refresh token came back: the held one is kept with its stated lifetime.
			assertThat(refreshed.authorizedClient().getRefreshToken().getExpiresAt())
				.isEqualTo(refreshed.authorizedClient().getRefreshToken().getIssuedAt().plusSeconds(1800));
		});
	}

	/**
	 * Keycloak's offline tokens without a maximum session lifetime come with {@code refresh_expires_in: 0}; with
	 * refresh token rotation on, each refresh spends the token it presents, so the next one must present the
	 * rotated token rather than the spent one or authenticate again.
	 */
	@Test
	void aRotatedRefreshTokenWithALifetimeOfZeroIsPresentedNext() {
		server.stubFor(clientCredentialsRequest().willReturn(
				json("{\"access_token\":\"T1\",\"expires_in\":300,\"refresh_token\":\"R1\",\"refresh_expires_in\":0}")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R1")).willReturn(
				json("{\"access_token\":\"T2\",\"expires_in\":300,\"refresh_token\":\"R2\",\"refresh_expires_in\":0}")));
		server.stubFor(refreshRequest().withRequestBody(containing("refresh_token=R2")).willReturn(
				json("{\"access_token\":\"T3\",\"expires_in\":300,\"refresh_token\":\"R3\",\"refresh_expires_in\":0}")));
		this.runner.run((context) -> {
			ManagedToken third = threeLifetimes(context.getBean(TokenManager.class));
			assertThat(third.authorizedClient().getRefreshToken().getTokenValue()).isEqualTo("R3");
		});
	}

	static Stream<Arguments> refreshRefusals() {
		return Stream.of(Arguments.of("invalid_grant", error(400, "invalid_grant")),
				Arguments.of("invalid_token", error(401, "invalid_token")),
				Arguments.of("unauthorized_client", error(400, "unauthorized_client")),
				Arguments.of("a 403 page", aResponse().withStatus(403).withBody("<html>Forbidden</html>")),
				Arguments.of("a 404 at a wrong refresh-uri", aResponse().withStatus(404)),
				Arguments.of("an answer that is no token", json("{\"token_type\":\"Bearer\"}")));
	}

	/**
	 * A refresh the provider refuses, whatever it calls the refusal, or answers with no token: the primary grant
	 * still works. Only invalid_grant fell back once; on the others the key tried the same refresh token after
	 * every cooldown until that expired.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("refreshRefusals")
	void aRefusedRefreshFallsBackToThePrimaryGrant(String refusal, ResponseDefinitionBuilder answer) {
		refreshAnswered(answer);
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofSeconds(301));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	/**
	 * A refresh refused for the client itself: the primary grant authenticates it the same way, so it is not asked
	 * too, which would double the token requests of every cooldown.
	 */
	@Test
	void aRefreshRefusedForTheClientDoesNotAskThePrimaryGrantToo() {
		refreshAnswered(error(401, "invalid_client"));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			this.clock.advance(Duration.ofSeconds(301));
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block())
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_client"));
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	/**
	 * The provider gives T1 with refresh token R1, answers its refresh so, and gives T2 to the primary grant.
	 */
	private static void refreshAnswered(ResponseDefinitionBuilder answer) {
		TokenStubs.inSequence(server, TokenStubs::clientCredentialsRequest, tokenWithRefresh("T1", 300, "R1"),
				token("T2", 300));
		server.stubFor(refreshRequest().willReturn(answer));
	}

	static Stream<Arguments> malformedResponses() {
		return Stream.of(Arguments.of("no access_token", json("{\"token_type\":\"Bearer\",\"expires_in\":300}")),
				Arguments.of("not JSON", aResponse().withStatus(200).withBody("access_token=T1&expires_in=300")),
				Arguments.of("an HTML page", aResponse().withStatus(200)
					.withHeader("Content-Type", "text/html")
					.withBody("<html><body>Login</body></html>")),
				Arguments.of("a negative expires_in", json("{\"access_token\":\"T1\",\"expires_in\":-5}")),
				Arguments.of("a zero expires_in", json("{\"access_token\":\"T1\",\"expires_in\":0}")),
				Arguments.of("a non-numeric expires_in", json("{\"access_token\":\"T1\",\"expires_in\":\"soon\"}")),
				Arguments.of("an unsupported token type",
						json("{\"access_token\":\"T1\",\"token_type\":\"mac\",\"expires_in\":300}")),
				Arguments.of("a JSON array", json("[\"T1\"]")),
				Arguments.of("a body of several MB",
						json("{\"access_token\":\"" + "x".repeat(4 * 1024 * 1024) + "\",\"expires_in\":300}")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedResponses")
	void malformedResponseIsAClearErrorCachesNothingAndTheNextGoodResponseWorks(String description,
			ResponseDefinitionBuilder malformed) {
		inSequence(malformed, token("GOOD", 300));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block())
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_token_response"));
			assertThat(tokens.cachedToken("acme")).isNull();
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			this.clock.advance(Duration.ofSeconds(6));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("GOOD");
		});
	}

	/**
	 * A Retry-After no budget can hold ends the retries with the provider's own error, whatever its size: added to
	 * the time already spent it overflowed, and the caller got that overflow instead of the 503.
	 */
	@Test
	void aRetryAfterBeyondAnyBudgetEndsTheRetriesWithTheProvidersError() {
		server.stubFor(clientCredentialsRequest().willReturn(aResponse().withStatus(503)
			.withHeader("Retry-After", String.valueOf(Long.MAX_VALUE))
			.withFixedDelay(1100)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block())
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("server_error");
					assertThat(ex.isTransientFailure()).isTrue();
				});
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	static Stream<Arguments> waitsAskedBeyondTheRetryBudget() {
		return Stream.of(Arguments.of(429, "120", Duration.ofSeconds(120)),
				Arguments.of(503, "3600", Duration.ofMinutes(5)));
	}

	/**
	 * A provider that asked for a longer wait than the retries could afford is left alone that long, up to 5
	 * minutes, not only for the cooldown: asked again every cooldown, by every instance, a rate limit only lasts
	 * longer.
	 */
	@ParameterizedTest(name = "HTTP {0}, Retry-After {1}")
	@MethodSource("waitsAskedBeyondTheRetryBudget")
	void aRetryAfterBeyondTheRetryBudgetHoldsTheProviderOffForAsLongAsItAsked(int status, String retryAfter,
			Duration heldOff) {
		inSequence(aResponse().withStatus(status).withHeader("Retry-After", retryAfter), token("T1", 300));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block());
			this.clock.advance(heldOff.minusSeconds(1));
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block());
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			this.clock.advance(Duration.ofSeconds(1));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
		});
	}

	/**
	 * A Retry-After never shortens the cooldown the application configured.
	 */
	@Test
	void aRetryAfterShorterThanTheConfiguredCooldownLeavesTheCooldown() {
		inSequence(aResponse().withStatus(429).withHeader("Retry-After", "1200"), token("T1", 300));
		this.runner.withPropertyValues("token.providers.acme.refresh.failure-cooldown=30m").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block());
			this.clock.advance(Duration.ofMinutes(25));
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block());
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			this.clock.advance(Duration.ofMinutes(5));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
		});
	}

	@Test
	void afterAFailureCallersFailFastDuringTheCooldownWithoutAskingTheProviderAgain() {
		inSequence(error(400, "invalid_scope"), token("T1", 300));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			for (int i = 0; i < 5; i++) {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token("acme").block())
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_scope"));
			}
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			this.clock.advance(Duration.ofSeconds(6));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
		});
	}

	/**
	 * An application's observer that throws must not leave the key's renewal unfinished: every later caller would
	 * join it and wait in vain.
	 */
	@Test
	void anObserverThatThrowsOnAFailureDoesNotLeaveTheRenewalUnfinished() {
		inSequence(error(400, "invalid_scope"), token("T1", 300));
		TokenObserver throwing = new TokenObserver() {

			@Override
			public void failed(TokenAcquisitionException failure) {
				throw new IllegalStateException("observer failed");
			}

		};
		this.runner.withBean(TokenObserver.class, () -> throwing)
			.withPropertyValues("token.providers.acme.refresh.max-caller-wait=2s")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token("acme").block())
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_scope"));
				this.clock.advance(Duration.ofSeconds(6));
				assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			});
	}

	/**
	 * An application's observer that throws when told of a new token must not turn the renewal that obtained it
	 * into a failure: the token is saved and held, and a failure would fail its callers, start the failure's
	 * cooldown and, after a rejection, remove the token just saved from the store.
	 */
	@Test
	void anObserverThatThrowsOnANewTokenLeavesTheRenewalASuccess(CapturedOutput output) {
		inSequence(token("T1", 300), token("T2", 300));
		TokenObserver throwing = new TokenObserver() {

			@Override
			public void obtained(ManagedToken token, boolean ahead) {
				if (token.hasValue("T2")) {
					throw new IllegalStateException("observer failed");
				}
			}

		};
		this.runner.withBean(TokenObserver.class, () -> throwing).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("acme").block();
			assertThat(tokens.replaceRejected("acme", first).block().accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(tokens.status("acme").lastError()).isNull();
			assertThat(output).contains("TokenObserver", "threw on obtained", "observer failed");
		});
	}

	@Test
	void aStillValidTokenIsServedWhileItsRenewalFails() {
		inSequence(token("T1", 300), aResponse().withStatus(500));
		this.runner.withPropertyValues("token.providers.acme.retry.max-attempts=1").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			this.clock.advance(Duration.ofSeconds(250));
			for (int i = 0; i < 20; i++) {
				assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			}
			await().until(() -> count(server, tokenRequests()) == 2);
			for (int i = 0; i < 20; i++) {
				assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			}
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	/**
	 * Takes the provider's tokens T1, T2 and T3, each after the one before expired, and checks that only the
	 * first came from the client credentials grant: the others were refreshed.
	 * @return the third token
	 */
	private ManagedToken threeLifetimes(TokenManager tokens) {
		assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
		this.clock.advance(Duration.ofSeconds(301));
		assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T2");
		this.clock.advance(Duration.ofSeconds(301));
		ManagedToken third = tokens.token("acme").block();
		assertThat(third.accessToken().getTokenValue()).isEqualTo("T3");
		assertThat(count(server, postRequestedFor(urlPathEqualTo("/token"))
			.withRequestBody(containing("grant_type=client_credentials")))).isEqualTo(1);
		return third;
	}

	private static void inSequence(ResponseDefinitionBuilder... responses) {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, responses);
	}

}
