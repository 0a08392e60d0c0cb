package dev.tokenstarter.user;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.Threads;
import dev.tokenstarter.test.TokenStubs;
import dev.tokenstarter.test.Wso2UserSessions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A user's token rejected by the API (WSO2's 900901), in a fleet of two application contexts on one real
 * {@code redis-server}, called through the {@code WebClient} and the {@code RestClient} of {@link TokenClients}.
 * Every call is seen attempt by attempt behind the token filter or interceptor, so "retried once" is counted per
 * call, not inferred; the renewals and the refresh tokens presented are the strict WSO2 stub's.
 */
class UserTokenRejectionFleetTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final String PROVIDER = "wso2";

	private static final String ALICE = "alice";

	private static final String PASSWORD = "alice-pa55-never-stored";

	private static final String CALL = "call";

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	private final Wso2UserSessions wso2 = new Wso2UserSessions(Map.of(ALICE, PASSWORD), Duration.ofHours(1),
			this.clock);

	@RegisterExtension
	final WireMockExtension provider = this.wso2.server();

	@BeforeEach
	void stubProvider() {
		// Token responses leave a while after the token was issued, as over a network: racing renewals overlap.
		this.wso2.stubOn(this.provider, Duration.ofMillis(200));
	}

	@Test
	void aUserTokenRevokedElsewhereIsRenewedOnceForTheFleetAndEveryCallIsRetriedOnce() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD);
			assertThat(users(b).signIn(PROVIDER, ALICE, PASSWORD)).isEqualTo(key);
			String revoked = this.wso2.liveToken(ALICE);
			assertThat(callWith(webClient(a, Attempts.none()), key, 0)).isEqualTo(ALICE);
			assertThat(callWith(restClient(b, Attempts.none()), key, 0)).isEqualTo(ALICE);
			// Another device of alice's signs out: the gateway now answers her token with 900901.
			this.wso2.endSessionOf(ALICE);
			int callers = 32;
			// Every call sends its first attempt only once all have their token, so each starts with the
			// revoked one, whichever renewal finishes first.
			Attempts attempts = new Attempts(callers);
			List<WebClient> webClients = List.of(webClient(a, attempts), webClient(b, attempts));
			List<RestClient> restClients = List.of(restClient(a, attempts), restClient(b, attempts));
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				int call = i;
				WebClient webClient = webClients.get(i % 2);
				RestClient restClient = restClients.get(i % 2);
				calls.add((i % 4 < 2) ? () -> callWith(webClient, key, call) : () -> callWith(restClient, key, call));
			}
			int rejectedBefore = this.wso2.rejected();
			assertThat(Threads.runTogether(calls)).hasSize(callers).containsOnly(ALICE);
			String renewed = this.wso2.liveToken(ALICE);
			assertThat(renewed).isNotNull().isNotEqualTo(revoked);
			for (int call = 0; call < callers; call++) {
				assertThat(attempts.of(call)).as("attempts of call %d", call)
					.containsExactly("Bearer " + revoked, "Bearer " + renewed);
			}
			assertThat(this.wso2.rejected() - rejectedBefore).isEqualTo(callers);
			// One renewal for the fleet: the silent sign-in of the instance that took the key's lock first.
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(2);
			assertThat(this.wso2.refreshes()).isZero();
			assertThat(this.wso2.issued()).isEqualTo(2);
			assertThat(presentedRefreshTokens()).doesNotHaveDuplicates();
			assertThat(this.wso2.reuses()).isZero();
		}));
	}

	@Test
	void aRenewedUserTokenRejectedAgainIsReturnedToTheCallerAfterOneRetry() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD);
			assertThat(users(b).signIn(PROVIDER, ALICE, PASSWORD)).isEqualTo(key);
			// The gateway now refuses alice whatever her token (her subscription was blocked, say).
			this.provider.stubFor(any(urlPathEqualTo(API_PATH)).atPriority(1)
				.willReturn(aResponse().withStatus(401)
					.withHeader("Content-Type", "application/json")
					.withBody(Wso2UserSessions.INVALID_CREDENTIALS)));
			int renewalsBefore = renewals();
			Attempts attempts = new Attempts(0);
			assertThatExceptionOfType(WebClientResponseException.Unauthorized.class)
				.isThrownBy(() -> callWith(webClient(a, attempts), key, 0))
				.satisfies((ex) -> assertThat(ex.getResponseBodyAsString()).contains("900901"));
			assertThat(attempts.of(0)).hasSize(2).doesNotHaveDuplicates();
			assertThat(renewals() - renewalsBefore).isEqualTo(1);
			String renewedByA = this.wso2.liveToken(ALICE);
			await().atMost(BOUND).until(() -> renewedByA.equals(heldToken(b, key)));
			assertThatExceptionOfType(HttpClientErrorException.Unauthorized.class)
				.isThrownBy(() -> callWith(restClient(b, attempts), key, 1))
				.satisfies((ex) -> assertThat(ex.getResponseBodyAsString()).contains("900901"));
			assertThat(attempts.of(1)).containsExactly("Bearer " + renewedByA, "Bearer " + this.wso2.liveToken(ALICE));
			assertThat(renewals() - renewalsBefore).isEqualTo(2);
			assertThat(presentedRefreshTokens()).doesNotHaveDuplicates();
			assertThat(this.wso2.reuses()).isZero();
		}));
	}

	private ApplicationContextRunner instance() {
		return Wso2UserSessions.fleetInstance(this.provider, this.clock, PROVIDER,
				"spring.data.redis.url=" + redisServer.server().url());
	}

	private static UserTokens users(AssertableApplicationContext context) {
		return context.getBean(UserTokens.class);
	}

	private static WebClient webClient(AssertableApplicationContext context, Attempts attempts) {
		return context.getBean(TokenClients.class).webClient(PROVIDER).mutate().filter(attempts.filter()).build();
	}

	private static RestClient restClient(AssertableApplicationContext context, Attempts attempts) {
		return context.getBean(TokenClients.class)
			.restClient(PROVIDER)
			.mutate()
			.requestInterceptor(attempts.interceptor())
			.build();
	}

	private static String callWith(WebClient client, TokenKey key, int call) {
		return client.get()
			.uri(API_PATH)
			.attributes(TokenKeyAttributes.tokenKey(key))
			.attribute(CALL, call)
			.retrieve()
			.bodyToMono(String.class)
			.block(BOUND);
	}

	private static String callWith(RestClient client, TokenKey key, int call) {
		return client.get()
			.uri(API_PATH)
			.attributes(TokenKeyAttributes.tokenKey(key))
			.attribute(CALL, call)
			.retrieve()
			.body(String.class);
	}

	private static @Nullable String heldToken(AssertableApplicationContext context, TokenKey key) {
		ManagedToken held = context.getBean(TokenManager.class).usableToken(key);
		return (held != null) ? held.accessToken().getTokenValue() : null;
	}

	/**
	 * Tokens obtained for alice by any grant: her sign-ins and every renewal.
	 */
	private int renewals() {
		return this.wso2.passwordGrants(ALICE) + this.wso2.refreshes();
	}

	/**
	 * Every refresh token the provider was given, from its request journal, refused ones included.
	 */
	private List<String> presentedRefreshTokens() {
		List<String> presented = new ArrayList<>();
		for (ServeEvent event : this.provider.getAllServeEvents()) {
			if (event.getRequest().getUrl().startsWith(TOKEN_PATH)) {
				Map<String, String> parameters = TokenStubs.formParameters(event.getRequest().getBodyAsString());
				if ("refresh_token".equals(parameters.get("grant_type"))) {
					presented.add(parameters.get("refresh_token"));
				}
			}
		}
		return presented;
	}

	/**
	 * The attempts of each call as they leave the client, behind the token filter or interceptor, by their
	 * {@code Authorization} header. With a number of callers, each call's first attempt waits until every caller
	 * has sent one.
	 */
	private static final class Attempts {

		private final Map<Integer, List<String>> authorizations = new ConcurrentHashMap<>();

		private final int callers;

		private final AtomicInteger firstAttempts = new AtomicInteger();

		private final CompletableFuture<Void> allFirstAttempts = new CompletableFuture<Void>()
			.orTimeout(BOUND.toMillis(), TimeUnit.MILLISECONDS);

		private Attempts(int callers) {
			this.callers = callers;
		}

		static Attempts none() {
			return new Attempts(0);
		}

		List<String> of(int call) {
			return this.authorizations.getOrDefault(call, List.of());
		}

		ExchangeFilterFunction filter() {
			return (request, next) -> {
				int call = (Integer) request.attribute(CALL).orElseThrow();
				boolean first = record(call, request.headers().getFirst(HttpHeaders.AUTHORIZATION));
				Mono<Void> turn = first ? Mono.fromFuture(this.allFirstAttempts, true) : Mono.empty();
				return turn.then(Mono.defer(() -> next.exchange(request)));
			};
		}

		ClientHttpRequestInterceptor interceptor() {
			return (request, body, execution) -> {
				int call = (Integer) request.getAttributes().get(CALL);
				if (record(call, request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION))) {
					this.allFirstAttempts.join();
				}
				return execution.execute(request, body);
			};
		}

		/**
		 * Records an attempt; returns whether it is the call's first.
		 */
		private boolean record(int call, String authorization) {
			List<String> attempts = this.authorizations.computeIfAbsent(call, (c) -> new CopyOnWriteArrayList<>());
			attempts.add(authorization);
			if (attempts.size() > 1 || this.callers == 0) {
				return false;
			}
			if (this.firstAttempts.incrementAndGet() == this.callers) {
				this.allFirstAttempts.complete(null);
			}
			return true;
		}

	}

}
