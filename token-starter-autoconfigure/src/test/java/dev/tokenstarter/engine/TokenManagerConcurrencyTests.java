package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.ResponsesHeldTogether;
import dev.tokenstarter.test.Threads;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Many callers at once against a real (WireMock) provider and API: one token request per need, however many
 * callers need it.
 */
class TokenManagerConcurrencyTests {

	private static final ResponsesHeldTogether held = new ResponsesHeldTogether();

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider(held);

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme");

	@Test
	void coldCacheWith200ConcurrentWebClientCallsMakesOneTokenRequest() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T1", 300).withFixedDelay(300)));
		server.stubFor(apiWith("T1").willReturn(ok("hello")));
		this.runner.run((context) -> {
			WebClient api = EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme");
			List<String> bodies = Flux.range(0, 200)
				.flatMap((i) -> api.get().uri(API_PATH).retrieve().bodyToMono(String.class), 200)
				.collectList()
				.block(Duration.ofSeconds(60));
			assertThat(bodies).hasSize(200).containsOnly("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void coldCacheWith200ThreadsOnRestClientMakesOneTokenRequest() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T1", 300).withFixedDelay(300)));
		server.stubFor(apiWith("T1").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			List<String> bodies = Threads.runTogether(200, () -> api.get().uri(API_PATH).retrieve().body(String.class));
			assertThat(bodies).hasSize(200).containsOnly("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void staleTokenUnderLoadIsRenewedOnceInTheBackgroundWhileCallersGetTheCurrentOneAtOnce() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300).withFixedDelay(500));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			// 250 s into a 300 s token: inside the 75 s stale window (plus jitter), outside the 10 s margin.
			this.clock.advance(Duration.ofSeconds(250));
			List<Boolean> servedAtOnce = Threads.runTogether(200, () -> {
				CompletableFuture<ManagedToken> call = tokens.token("acme").toFuture();
				boolean immediate = call.isDone();
				return immediate && call.join().accessToken().getTokenValue().equals("T1");
			});
			assertThat(servedAtOnce).hasSize(200).containsOnly(true);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> tokens.cachedToken("acme").accessToken().getTokenValue().equals("T2"));
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void hundredConcurrentCallsRejectedWith401RenewTheTokenOnceAndRetryEachCallOnce() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		// Rejections held until every call has arrived, so that all are on their way with the revoked token
		// before the first 401 returns.
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401).withTransformers(ResponsesHeldTogether.NAME)));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			WebClient api = EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme");
			held.holdUntil(100);
			List<String> bodies = Flux.range(0, 100)
				.flatMap((i) -> api.get().uri(API_PATH).retrieve().bodyToMono(String.class), 100)
				.collectList()
				.block(Duration.ofSeconds(60));
			assertThat(bodies).hasSize(100).containsOnly("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			assertThat(apiCallsWith("T1")).isEqualTo(100);
			assertThat(apiCallsWith("T2")).isEqualTo(100);
		});
	}

	@Test
	void secondRejectionIsReturnedToTheCallerWithoutLooping() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401)));
		this.runner.run((context) -> {
			WebClient api = EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme");
			assertThatExceptionOfType(WebClientResponseException.Unauthorized.class)
				.isThrownBy(() -> api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block());
			assertThat(apiCallsWith("T1")).isEqualTo(2);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	/**
	 * Providers that cache client credentials tokens answer a renewal with the token the API just rejected. The
	 * renewal that went to the provider for that rejection answers every caller that joined it: each asking again
	 * would cost one token request per rejected call.
	 */
	@Test
	void hundredCallsRejectedWith401AskTheProviderOnceWhenItAnswersTheSameToken() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T1", 300).withFixedDelay(300)));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401).withTransformers(ResponsesHeldTogether.NAME)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			WebClient api = EngineTestSupport.apiClient(server, context.getBean(TokenClients.class), "acme");
			held.holdUntil(100);
			List<Integer> statuses = Flux.range(0, 100)
				.flatMap((i) -> api.get()
					.uri(API_PATH)
					.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())),
						100)
				.collectList()
				.block(Duration.ofSeconds(60));
			assertThat(statuses).hasSize(100).containsOnly(401);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void restClientRetriesOnceAfter401WithANewToken() {
		inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401).withTransformers(ResponsesHeldTogether.NAME)));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.run((context) -> {
			context.getBean(TokenManager.class).token("acme").block();
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			held.holdUntil(50);
			List<String> bodies = Threads.runTogether(50, () -> api.get().uri(API_PATH).retrieve().body(String.class));
			assertThat(bodies).hasSize(50).containsOnly("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			assertThat(apiCallsWith("T1")).isEqualTo(50);
		});
	}

	@Test
	void renewalRunsToItsEndWhenEveryWaiterCancels() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T1", 300).withFixedDelay(300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").timeout(Duration.ofMillis(50)).onErrorResume((ex) -> Mono.empty()).block())
				.isNull();
			await().atMost(Duration.ofSeconds(10)).until(() -> tokens.cachedToken("acme") != null);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	private static int apiCallsWith(String token) {
		return server
			.countRequestsMatching(getRequestedFor(urlPathEqualTo(API_PATH))
				.withHeader("Authorization", equalTo("Bearer " + token))
				.build())
			.getCount();
	}

}
