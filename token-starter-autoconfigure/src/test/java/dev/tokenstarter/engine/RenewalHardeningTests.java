package dev.tokenstarter.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatusCode;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClientHttpRequestInterceptor;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Defects found by reading the engine: renewals that hand back the token they were meant to replace, a revoked
 * token coming back, renewals that never end, waits that end in the wrong exception, a token that cannot be
 * sent, and an API that refuses every new token.
 */
@ExtendWith(OutputCaptureExtension.class)
class RenewalHardeningTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme");

	@Test
	void aRejectedTokenIsNotHandedBackByTheBackgroundRenewalItJoined() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		this.runner.withBean(TokenLock.class, HeldElsewhereLock::new).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("acme").block(BOUND);
			this.clock.advance(Duration.ofSeconds(250));
			// Stale: starts a renewal ahead of expiry, which finds the lock held elsewhere and keeps T1.
			assertThat(tokens.usableToken("acme")).isSameAs(first);
			ManagedToken replacement = tokens.replaceRejected("acme", first).block(BOUND);
			assertThat(replacement.accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	/**
	 * A renewal ahead of expiry that finds the lock held elsewhere keeps the token it began with, for the callers
	 * it serves meanwhile: not once that token was revoked, when a caller that found nothing to serve joined it.
	 */
	@Test
	void aTokenRevokedWhileTheBackgroundRenewalWaitsIsNotHandedToTheCallersThatJoinedIt() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		this.runner.withBean(TokenLock.class, HeldElsewhereLock::new).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("acme").block(BOUND);
			this.clock.advance(Duration.ofSeconds(250));
			assertThat(tokens.usableToken("acme")).isSameAs(first);
			tokens.revoke("acme").block(BOUND);
			assertThat(tokens.token("acme").block(BOUND).accessToken().getTokenValue()).isEqualTo("T2");
		});
	}

	/**
	 * A renewal's reason names the token it replaces without its value, a live credential.
	 */
	@Test
	void aRenewalShowsNoTokenValue() {
		assertThat(Renewal.rejected("a-live-token-value")).hasToString("Renewal[REJECTED, replacing a token]");
		assertThat(Renewal.AHEAD).hasToString("Renewal[AHEAD]");
	}

	@Test
	void aForcedRefreshIsNotAnsweredWithTheHeldTokenByTheBackgroundRenewalItJoined() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		this.runner.withBean(TokenLock.class, HeldElsewhereLock::new).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("acme").block(BOUND);
			this.clock.advance(Duration.ofSeconds(250));
			assertThat(tokens.usableToken("acme")).isSameAs(first);
			assertThat(tokens.refresh("acme").block(BOUND).accessToken().getTokenValue()).isEqualTo("T2");
		});
	}

	@Test
	void aRevokedTokenDoesNotComeBackThroughACallerReadingTheStoreMeanwhile() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		server.stubFor(post(urlPathEqualTo("/revoke")).willReturn(ok().withFixedDelay(700)));
		this.runner.withPropertyValues("token.providers.acme.revoke-uri=" + server.baseUrl() + "/revoke")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThat(tokens.token("acme").block(BOUND).accessToken().getTokenValue()).isEqualTo("T1");
				CompletableFuture<Void> revocation = tokens.revoke("acme").toFuture();
				await().atMost(BOUND)
					.until(() -> count(server, postRequestedFor(urlPathEqualTo("/revoke"))) == 1);
				assertThat(tokens.token("acme").block(BOUND).accessToken().getTokenValue()).isEqualTo("T2");
				revocation.join();
				assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T2");
			});
	}

	@Test
	void aRevokedTokenIsRefusedByTheNearCacheWhateverBringsItBack() {
		server.stubFor(TokenStubs.clientCredentialsRequest().willReturn(token("T1", 300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			OAuth2AuthorizedClient revoked = tokens.token("acme").block(BOUND).authorizedClient();
			tokens.revoke("acme").block(BOUND);
			// A change message of another instance, sent before the revocation reached it, arrives late.
			tokens.accept(revoked);
			assertThat(tokens.cachedToken("acme")).isNull();
		});
	}

	@Test
	void aRenewalThatThrowsBeforeItStartsFailsItsCallersInsteadOfHangingTheProvider() {
		ReactiveClientRegistrationRepository failing = (registrationId) -> {
			throw new IllegalStateException("registration service unavailable");
		};
		this.runner.withBean(ReactiveClientRegistrationRepository.class, () -> failing).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			for (int call = 0; call < 3; call++) {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token("elsewhere").block(BOUND))
					.satisfies((ex) -> assertThat(ex.getProvider()).isEqualTo("elsewhere"));
			}
		});
	}

	@Test
	void aRenewalThatCompletesEmptyFailsItsCallersInsteadOfHangingTheProvider() {
		server.stubFor(TokenStubs.clientCredentialsRequest().willReturn(token("T1", 300)));
		this.runner.withBean(TokenLock.class, EmptyLock::new).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			for (int call = 0; call < 3; call++) {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token("acme").block(BOUND));
			}
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> api.get().uri(API_PATH).retrieve().toBodilessEntity());
		});
	}

	@Test
	void aRestClientCallerWhoseWaitRunsOutGetsATokenAcquisitionExceptionNamingTheProvider() {
		this.runner.withBean(TokenLock.class, NeverLock::new).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			RestClient api = RestClient.builder()
				.baseUrl(server.baseUrl())
				.requestInterceptor(new TokenClientHttpRequestInterceptor(tokens, "acme", Set.of(401),
						Duration.ofMillis(300), Map.of()))
				.build();
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> api.get().uri(API_PATH).retrieve().toBodilessEntity())
				.satisfies((ex) -> {
					assertThat(ex.getProvider()).isEqualTo("acme");
					assertThat(ex.getErrorCode()).isEqualTo("timeout");
					assertThat(ex.getMessage()).contains("timed out waiting for a token");
				});
		});
	}

	@Test
	void aStoredTokenThatCannotBeSentInAHeaderIsDroppedAndRenewed() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			OAuth2AuthorizedClient good = tokens.token("acme").block(BOUND).authorizedClient();
			context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.saveAuthorizedClient(withTokenValue(good, "T1\r\nX-Injected: 1"), new TestingAuthenticationToken(good.getPrincipalName(), ""))
				.block(BOUND);
			tokens.forget("acme", good.getPrincipalName());
			WebClient webClient = EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme");
			assertThat(webClient.get().uri(API_PATH).retrieve().bodyToMono(String.class).block(BOUND))
				.isEqualTo("hello");
			assertThat(context.getBean(TokenClients.class).restClient("acme").get().uri(API_PATH).retrieve()
				.body(String.class)).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void aTokenOfAnotherInstanceThatCannotBeSentIsNotTaken() {
		server.stubFor(TokenStubs.clientCredentialsRequest().willReturn(token("T1", 300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			OAuth2AuthorizedClient good = tokens.token("acme").block(BOUND).authorizedClient();
			this.clock.advance(Duration.ofSeconds(1));
			tokens.accept(withTokenValue(good, "T\u00e9"));
			assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T1");
		});
	}

	@Test
	void anApiThatRefusesEveryNewTokenGetsOneTokenRequestPerCooldownNotAStorm(CapturedOutput output) {
		server.stubFor(TokenStubs.clientCredentialsRequest().willReturn(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"access_token\":\"T{{randomValue length=12 type='ALPHANUMERIC'}}\","
					+ "\"token_type\":\"Bearer\",\"expires_in\":300}")
			.withTransformers("response-template")));
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(401)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"code\":\"900901\",\"message\":\"Invalid Credentials\"}")));
		this.runner.withPropertyValues("token.providers.acme.refresh.failure-cooldown=5s").run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			WebClient webClient = EngineTestSupport.apiClient(server, clients, "acme");
			RestClient restClient = clients.restClient("acme");
			for (int call = 0; call < 25; call++) {
				assertThat(webClient.get().uri(API_PATH).exchangeToMono((response) -> response.releaseBody()
					.thenReturn(response.statusCode())).block(BOUND)).isEqualTo(HttpStatusCode.valueOf(401));
				int status = restClient.get().uri(API_PATH).exchange((request, response) -> response.getStatusCode().value());
				assertThat(status).isEqualTo(401);
			}
			// The first token, and one renewal for the first rejection; none more within the cooldown.
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			this.clock.advance(Duration.ofSeconds(6));
			for (int call = 0; call < 25; call++) {
				restClient.get().uri(API_PATH).exchange((request, response) -> response.getStatusCode());
			}
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
		assertThat(output.getOut().split("refuses newly issued tokens", -1)).hasSize(2);
	}

	@Test
	void aTokenRevokedRightAfterItWasIssuedIsStillReplacedAtOnce() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401)));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			assertThat(api.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void revocationsInQuickSuccessionAreEachRenewedAsLongAsTheRenewedTokenIsAccepted() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300),
				token("T3", 300));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401)));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		server.stubFor(apiWith("T3").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			assertThat(api.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("hello");
			// T2, obtained a moment ago for the first revocation, is revoked too.
			server.stubFor(apiWith("T2").willReturn(aResponse().withStatus(401)));
			assertThat(api.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	private OAuth2AuthorizedClient withTokenValue(OAuth2AuthorizedClient client, String value) {
		Instant now = this.clock.instant();
		return new OAuth2AuthorizedClient(client.getClientRegistration(), client.getPrincipalName(),
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plusSeconds(300)));
	}

	/** Another instance holds the fleet lock: renewals ahead of expiry are told so after a moment. */
	static final class HeldElsewhereLock implements TokenLock {

		@Override
		public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
			return Mono.defer(work);
		}

		@Override
		public <T> Mono<T> withLockIfFree(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> otherwise) {
			return Mono.delay(Duration.ofMillis(300)).then(Mono.defer(otherwise));
		}

	}

	/** A custom lock whose result is empty. */
	static final class EmptyLock implements TokenLock {

		@Override
		public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
			return Mono.empty();
		}

	}

	/** A custom lock that is never granted. */
	static final class NeverLock implements TokenLock {

		@Override
		public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
			return Mono.never();
		}

	}

}
