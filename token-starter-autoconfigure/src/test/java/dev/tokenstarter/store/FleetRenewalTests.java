package dev.tokenstarter.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.RotatingRefreshTokenProvider;
import dev.tokenstarter.test.Threads;
import dev.tokenstarter.test.TokenStubs;
import dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Renewal across the fleet: one instance renews at a time, rotated refresh tokens are never reused, and a lock
 * holder that hangs neither blocks the others nor overwrites their newer token.
 */
class FleetRenewalTests {

	private static final int LIFETIME = 300;

	private static final String REVOKE_PATH = "/revoke";

	private static final RotatingRefreshTokenProvider rotating = new RotatingRefreshTokenProvider(LIFETIME);

	@RegisterExtension
	static final WireMockExtension provider = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().containerThreads(64).extensions(rotating))
		.build();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void threeInstancesRefreshingConcurrentlyOverFiftyLifetimesNeverReuseARotatedRefreshToken() {
		provider.stubFor(tokenRequest().willReturn(aResponse().withTransformers(rotating.getName())));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> instance.run((third) -> {
			List<TokenManager> fleet = List.of(first.getBean(TokenManager.class), second.getBean(TokenManager.class),
					third.getBean(TokenManager.class));
			int authenticationsBefore = rotating.authentications();
			int refreshesBefore = rotating.refreshes();
			for (int lifetime = 0; lifetime < 50; lifetime++) {
				List<Callable<String>> calls = new ArrayList<>();
				for (int i = 0; i < 30; i++) {
					TokenManager tokens = fleet.get(i % 3);
					calls.add(() -> tokens.token("acme").block().accessToken().getTokenValue());
				}
				List<String> served = Threads.runTogether(calls);
				assertThat(served).hasSize(30).doesNotContainNull();
				assertThat(served.stream().distinct()).as("one token per lifetime across the fleet").hasSize(1);
				this.clock.advance(Duration.ofSeconds(LIFETIME + 1));
			}
			assertThat(rotating.reuses()).isZero();
			assertThat(rotating.authentications() - authenticationsBefore).isEqualTo(1);
			assertThat(rotating.refreshes() - refreshesBefore).isEqualTo(49);
		})));
	}

	@Test
	void aWaiterWhoseWaitRunsOutDoesNotSpendTheRefreshTokenTheHolderIsSpending() {
		// Refreshes slower than the lock wait: the waiter's wait runs out while the holder's refresh is under way.
		provider.stubFor(tokenRequest().willReturn(aResponse().withTransformers(rotating.getName()).withFixedDelay(1500)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock)
			.withPropertyValues("token.store.redis.lock-wait=300ms");
		instance.run((first) -> instance.run((second) -> {
			TokenManager holder = first.getBean(TokenManager.class);
			TokenManager waiter = second.getBean(TokenManager.class);
			holder.token("acme").block();
			waiter.token("acme").block();
			int refreshesBefore = rotating.refreshes();
			int reusesBefore = rotating.reuses();
			this.clock.advance(Duration.ofSeconds(LIFETIME + 1));
			CompletableFuture<ManagedToken> holding = holder.token("acme").toFuture();
			await().until(() -> rotating.refreshes() == refreshesBefore + 1);
			ManagedToken waited = waiter.token("acme").block(Duration.ofSeconds(10));
			// Renewing alone after the wait would present the refresh token the holder just spent: a provider
			// that rotates them takes that for theft and ends the session.
			assertThat(rotating.reuses()).isEqualTo(reusesBefore);
			assertThat(rotating.refreshes()).isEqualTo(refreshesBefore + 1);
			assertThat(waited.accessToken().getTokenValue())
				.isEqualTo(holding.get().accessToken().getTokenValue());
		}));
	}

	/**
	 * The same on an instance that holds no token yet (it started after the token was stored, so no change message
	 * brought it): the stored token says that the key's renewals spend refresh tokens, though nothing in its memory
	 * does.
	 */
	@Test
	void anInstanceHoldingNoTokenYetDoesNotSpendTheRefreshTokenTheHolderIsSpendingEither() {
		provider.stubFor(tokenRequest().willReturn(aResponse().withTransformers(rotating.getName()).withFixedDelay(1500)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock)
			.withPropertyValues("token.store.redis.lock-wait=300ms");
		instance.run((first) -> {
			TokenManager holder = first.getBean(TokenManager.class);
			holder.token("acme").block();
			instance.run((second) -> {
				TokenManager newcomer = second.getBean(TokenManager.class);
				assertThat(newcomer.cachedToken("acme")).as("a token before asking").isNull();
				int refreshesBefore = rotating.refreshes();
				int reusesBefore = rotating.reuses();
				this.clock.advance(Duration.ofSeconds(LIFETIME + 1));
				CompletableFuture<ManagedToken> holding = holder.token("acme").toFuture();
				await().until(() -> rotating.refreshes() == refreshesBefore + 1);
				ManagedToken waited = newcomer.token("acme").block(Duration.ofSeconds(10));
				assertThat(rotating.reuses()).isEqualTo(reusesBefore);
				assertThat(rotating.refreshes()).isEqualTo(refreshesBefore + 1);
				assertThat(waited.accessToken().getTokenValue())
					.isEqualTo(holding.get().accessToken().getTokenValue());
			});
		});
	}

	@Test
	void aHolderStuckPastItsLeaseNeitherBlocksTheOthersNorOverwritesTheirNewerToken() {
		provider.stubFor(tokenRequest().inScenario("stuck")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(token("LATE", LIFETIME).withFixedDelay(4000))
			.willSetStateTo("released"));
		provider.stubFor(tokenRequest().inScenario("stuck").whenScenarioStateIs("released")
			.willReturn(token("FRESH", LIFETIME)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock)
			.withPropertyValues("token.store.redis.lock-lease=1s", "token.store.redis.lock-wait=10s");
		instance.run((first) -> instance.run((second) -> {
			TokenManager stuck = first.getBean(TokenManager.class);
			TokenManager other = second.getBean(TokenManager.class);
			CompletableFuture<ManagedToken> stuckCall = stuck.token("acme").toFuture();
			while (count(provider, tokenRequests()) == 0) {
				Thread.onSpinWait();
			}
			long start = System.nanoTime();
			assertThat(other.token("acme").block().accessToken().getTokenValue()).isEqualTo("FRESH");
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			assertThat(stuckCall).isNotDone();
			assertThat(waited).isLessThan(Duration.ofSeconds(1).plusSeconds(1).plusMillis(500));
			// The stuck holder's late write is refused: it ends up with the fleet's newer token.
			assertThat(stuckCall.get().accessToken().getTokenValue()).isEqualTo("FRESH");
			assertThat(stuck.token("acme").block().accessToken().getTokenValue()).isEqualTo("FRESH");
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
		}));
	}

	@Test
	void aRenewalAheadOfExpiryDoesNotQueueBehindAnotherInstancesRenewal() {
		TokenStubs.inSequence(provider, TokenStubs::tokenRequest, token("T1", LIFETIME),
				token("T2", LIFETIME).withFixedDelay(1500));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock);
		instance.run((first) -> instance.withConfiguration(AutoConfigurations.of(TokenMetricsAutoConfiguration.class))
			.withBean(MeterRegistry.class, () -> meters)
			.run((second) -> {
				TokenManager renewing = first.getBean(TokenManager.class);
				TokenManager other = second.getBean(TokenManager.class);
				assertThat(renewing.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
				assertThat(other.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
				this.clock.advance(Duration.ofSeconds(250));
				renewing.token("acme").block();
				await().until(() -> count(provider, tokenRequests()) == 2);
				// The other instance's token is stale too: served at once, and its renewal does not wait for the lock.
				assertThat(other.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
				await().until(() -> meters.find("token.lock.wait").tag("outcome", "busy").timer() != null);
				assertThat(meters.find("token.lock.wait").tag("outcome", "acquired").timer()).isNull();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> "T2".equals(other.cachedToken("acme").accessToken().getTokenValue()));
				assertThat(count(provider, tokenRequests())).isEqualTo(2);
			}));
	}

	/**
	 * A holder that crashed leaves the lock in Redis for its lease: a revocation (a user's sign-out, an operator's
	 * eviction, each with a deadline of its own) waits for it no longer than lock-wait, then forgets and revokes the
	 * token all the same.
	 */
	@Test
	void aRevocationDoesNotWaitOutTheLeaseOfAHolderThatCrashed() {
		provider.stubFor(tokenRequest().willReturn(token("T1", LIFETIME)));
		provider.stubFor(WireMock.post(REVOKE_PATH).willReturn(aResponse().withStatus(200)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock)
			.withPropertyValues("token.store.redis.lock-wait=300ms",
					"token.providers.acme.revoke-uri=" + provider.baseUrl() + REVOKE_PATH);
		instance.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			// The lock of the entry's key, as a holder that crashed mid-renewal leaves it.
			String entry = redis().entriesHoldingTokens("token-starter:client:acme:*").get(0);
			String lockName = "token-starter:lock:acme:" + entry.substring("token-starter:client:acme:".length());
			redis().command("HSET", lockName, "crashed-holder", "1");
			redis().command("PEXPIRE", lockName, "60000");

			tokens.revoke("acme").block(Duration.ofSeconds(10));

			assertThat(provider.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo(REVOKE_PATH))))
				.extracting((request) -> request.getBodyAsString())
				.singleElement(InstanceOfAssertFactories.STRING)
				.contains("token=T1");
			assertThat(redis().entriesHoldingTokens("token-starter:client:acme:*")).isEmpty();
		});
	}

	/**
	 * A client-credentials renewal under way on an instance that is never told of a revocation on another (its
	 * change message lost): its save, based on the revoked entry, is refused by the removal's trace, and the new
	 * token (no session of the revoked one's) is saved on a read of the trace, for the fleet, rather than held by
	 * that instance alone while every other instance asks the provider again.
	 */
	@Test
	void aNewTokenObtainedBesideARevocationElsewhereIsStoredForTheFleet() {
		provider.stubFor(tokenRequest().inScenario("revoked")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(token("T1", LIFETIME))
			.willSetStateTo("renewing"));
		provider.stubFor(tokenRequest().inScenario("revoked")
			.whenScenarioStateIs("renewing")
			.willReturn(token("T2", LIFETIME).withFixedDelay(2500)));
		provider.stubFor(WireMock.post(REVOKE_PATH).willReturn(aResponse().withStatus(200)));
		ApplicationContextRunner instance = FleetTestSupport.instance(redis(), provider, this.clock)
			.withPropertyValues("token.store.redis.lock-wait=300ms",
					"token.providers.acme.revoke-uri=" + provider.baseUrl() + REVOKE_PATH);
		instance.run((renewing) -> instance.run((revoking) -> {
			TokenManager renewer = renewing.getBean(TokenManager.class);
			TokenManager revoker = revoking.getBean(TokenManager.class);
			assertThat(renewer.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(revoker.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			FleetTestSupport.stopHearingChanges(renewing);
			CompletableFuture<ManagedToken> renewal = renewer.refresh("acme").toFuture();
			await().atMost(Duration.ofSeconds(10)).until(() -> count(provider, tokenRequests()) == 2);

			revoker.revoke("acme").block(Duration.ofSeconds(10));

			assertThat(renewal).succeedsWithin(Duration.ofSeconds(10))
				.extracting((token) -> token.accessToken().getTokenValue())
				.isEqualTo("T2");
			assertThat(revoker.token("acme").block().accessToken().getTokenValue()).isEqualTo("T2");
			assertThat(count(provider, tokenRequests())).as("token requests").isEqualTo(2);
		}));
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
