package dev.tokenstarter.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.Threads;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keys other than the application's across a fleet on one real Redis: one token request per key for the fleet,
 * each key in an entry and under a lock of its own, and another instance's new token taken from its change message.
 */
class KeyedFleetTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void threeInstancesAskingForTheSameKeysMakeOneTokenRequestPerKey() {
		for (String audience : List.of("orders", "payments", "ledger")) {
			provider.stubFor(clientCredentialsRequest().withRequestBody(containing("audience=" + audience))
				.willReturn(token("T-" + audience, 300).withFixedDelay(300)));
		}
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> instance.run((third) -> {
			List<TokenManager> fleet = List.of(first.getBean(TokenManager.class), second.getBean(TokenManager.class),
					third.getBean(TokenManager.class));
			List<String> audiences = List.of("orders", "payments", "ledger");
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 180; i++) {
				TokenManager tokens = fleet.get(i % 3);
				String audience = audiences.get((i / 3) % 3);
				TokenKey key = TokenKey.forProvider("acme").principal("svc-" + audience).audience(audience).build();
				calls.add(() -> tokens.token(key).block(BOUND).accessToken().getTokenValue());
			}
			assertThat(Threads.runTogether(calls)).hasSize(180).containsOnly("T-orders", "T-payments", "T-ledger");
			assertThat(count(provider, tokenRequests())).isEqualTo(3);
			assertThat(redis().entriesHoldingTokens("token-starter:client:acme:svc-*")).hasSize(3);
		})));
	}

	@Test
	void anotherInstancesNewTokenForAKeyReachesThisInstanceByChangeMessage() {
		TokenKey orders = TokenKey.forProvider("acme").principal("alice").audience("orders").build();
		provider.stubFor(clientCredentialsRequest().willReturn(token("T1", 300)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TokenManager here = first.getBean(TokenManager.class);
			TokenManager there = second.getBean(TokenManager.class);
			assertThat(there.token(orders).block(BOUND).accessToken().getTokenValue()).isEqualTo("T1");
			ManagedToken held = here.token(orders).block(BOUND);
			assertThat(held.accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
			provider.stubFor(clientCredentialsRequest().willReturn(token("T2", 300)));
			here.replaceRejected(orders, held).block(BOUND);
			await().atMost(Duration.ofSeconds(5))
				.until(() -> "T2".equals(there.usableToken(orders).accessToken().getTokenValue()));
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
			// The application token was never part of it.
			assertThat(there.cachedToken("acme")).isNull();
		}));
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
