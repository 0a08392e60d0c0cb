package dev.tokenstarter.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.Threads;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several instances on one Redis behave like one client of the provider, and share what they obtain.
 */
@ExtendWith(OutputCaptureExtension.class)
class FleetColdStartTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void threeInstancesWithAHundredConcurrentCallsEachMakeOneTokenRequest() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300).withFixedDelay(300)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> instance.run((third) -> {
			List<TokenManager> fleet = List.of(first.getBean(TokenManager.class), second.getBean(TokenManager.class),
					third.getBean(TokenManager.class));
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 300; i++) {
				TokenManager tokens = fleet.get(i % 3);
				calls.add(() -> tokens.token("acme").block().accessToken().getTokenValue());
			}
			assertThat(Threads.runTogether(calls)).hasSize(300).containsOnly("T1");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
		})));
	}

	@Test
	void atAColdStartOneInstanceTakesTheLockAndTheWaitersAreServedWithoutTakingItInTurn() throws Exception {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300).withFixedDelay(500)));
		List<String> outcomes = new CopyOnWriteArrayList<>();
		TokenObserver lockWaits = new TokenObserver() {

			@Override
			public void lockWaited(String key, String outcome, long nanos) {
				outcomes.add(outcome);
			}

		};
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock)
			.withBean("lockWaits", TokenObserver.class, () -> lockWaits);
		runFleet(instance, 6, new ArrayList<>(), (fleet) -> {
			List<Callable<String>> calls = new ArrayList<>();
			for (TokenManager tokens : fleet) {
				calls.add(() -> tokens.token("acme").block().accessToken().getTokenValue());
			}
			assertThat(Threads.runTogether(calls)).hasSize(6).containsOnly("T1");
		});
		assertThat(count(provider, tokenRequests())).isEqualTo(1);
		// Taking the lock in turn, each waiter would only find T1 under it: 6 acquisitions, the last after 5
		// turns. A waiter whose pause ends between the holder's save and its release may still take the freed lock.
		assertThat(outcomes).hasSize(6);
		assertThat(outcomes.stream().filter("acquired"::equals).count()).isLessThanOrEqualTo(2);
		assertThat(outcomes.stream().filter("served"::equals).count()).isGreaterThanOrEqualTo(4);
	}

	@Test
	void aTokenSavedByOneInstanceReachesTheOthersNearCacheWithoutARedisRead() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TokenManager here = first.getBean(TokenManager.class);
			TokenManager there = second.getBean(TokenManager.class);
			// The other instance holds the token before, which the new one replaces.
			provider.stubFor(tokenRequest().willReturn(token("T0", 300)));
			there.token("acme").block();
			provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
			this.clock.advance(Duration.ofSeconds(301));
			assertThat(here.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			long start = System.nanoTime();
			await().atMost(Duration.ofSeconds(2))
				.pollInterval(Duration.ofMillis(1))
				.until(() -> "T1".equals(there.cachedToken("acme").accessToken().getTokenValue()));
			Duration propagation = Duration.ofNanos(System.nanoTime() - start);
			assertServedFromMemory(there, "T1", 100);
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
			System.out.println("New token visible to the other instance after " + propagation.toMillis() + " ms");
		}));
	}

	@Test
	void aTokenSavedByOneInstanceReachesTheNearCacheOfAnotherBeforeItsFirstCall() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TokenManager here = first.getBean(TokenManager.class);
			TokenManager there = second.getBean(TokenManager.class);
			// Prepared at start-up in the background, and listening.
			await().atMost(Duration.ofSeconds(10)).until(() -> there.heldKeys() == 1);
			String channel = second.getBean(RedisKeys.class).channel();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "2".equals(redis().command("PUBSUB", "NUMSUB", channel).get(1)));

			assertThat(here.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");

			await().atMost(Duration.ofSeconds(5))
				.until(() -> there.cachedToken("acme") != null
						&& "T1".equals(there.cachedToken("acme").accessToken().getTokenValue()));
			assertServedFromMemory(there, "T1", 1);
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
		}));
	}

	/**
	 * Calls for the token, which each time comes from the instance's memory: neither a store read nor a script
	 * (a lock attempt, a save) reaches Redis.
	 */
	private void assertServedFromMemory(TokenManager tokens, String expected, int calls) {
		long reads = redis().calls("hgetall");
		long scripts = redis().calls("eval") + redis().calls("evalsha");
		for (int i = 0; i < calls; i++) {
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo(expected);
		}
		assertThat(redis().calls("hgetall")).isEqualTo(reads);
		assertThat(redis().calls("eval") + redis().calls("evalsha")).isEqualTo(scripts);
	}

	/**
	 * The lock's waiters hear releases on the channel the store's change messages use, from the instance's start:
	 * one subscription per instance, none made by a waiter at a cold start, when the whole fleet waits at once.
	 */
	@Test
	void anInstanceListensOnOneChannelForChangesAndLockReleasesFromItsStart() {
		FleetTestSupport.instance(redis(), provider, this.clock).run((context) -> {
			String channel = context.getBean(RedisKeys.class).channel();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> "1".equals(redis().command("PUBSUB", "NUMSUB", channel).get(1)));
			assertThat(redis().command("PUBSUB", "CHANNELS")).containsExactly(channel);
			// The change listener stops first when the context closes: the lock keeps listening meanwhile.
			context.getBean(RedisTokenEvents.class).stop();
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.until(() -> "1".equals(redis().command("PUBSUB", "NUMSUB", channel).get(1)));
		});
	}

	@Test
	void oneInstanceStoppingDoesNotRevokeTheTokenTheFleetShares(CapturedOutput output) {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		provider.stubFor(post(urlPathEqualTo("/revoke")).willReturn(ok()));
		FleetTestSupport.instance(redis(), provider, this.clock)
			.withPropertyValues("token.providers.acme.revoke-uri=" + provider.baseUrl() + "/revoke",
					"token.providers.acme.revoke-on-shutdown=true")
			.run((context) -> context.getBean(TokenManager.class).token("acme").block());
		provider.verify(0, postRequestedFor(urlPathEqualTo("/revoke")));
		assertThat(redis().entriesHoldingTokens("token-starter:client:*")).hasSize(1);
		assertThat(output).contains("revoke-on-shutdown is ignored for [acme]");
	}

	/**
	 * Runs {@code size} instances at once and hands their engines to {@code test}.
	 */
	private static void runFleet(ApplicationContextRunner instance, int size, List<TokenManager> fleet,
			FleetTest test) {
		if (fleet.size() == size) {
			try {
				test.run(fleet);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			return;
		}
		instance.run((context) -> {
			fleet.add(context.getBean(TokenManager.class));
			runFleet(instance, size, fleet, test);
		});
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

	@FunctionalInterface
	private interface FleetTest {

		void run(List<TokenManager> fleet) throws Exception;

	}

}
