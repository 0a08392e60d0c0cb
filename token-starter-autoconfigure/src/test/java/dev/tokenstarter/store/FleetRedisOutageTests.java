package dev.tokenstarter.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis going down under load fails no call while the provider is up, and the fleet shares the store again
 * once Redis is back.
 */
class FleetRedisOutageTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private final RedisServer redis = RedisServer.start();

	private final MutableClock clock = MutableClock.startingNow();

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void redisKilledDuringLoadFailsNoCallAndTheInstancesRejoinWhenItIsBack() {
		provider.stubFor(tokenRequest().willReturn(token("T", 300)));
		provider.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(ok("hello")));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock)
			.withPropertyValues("token.store.redis.timeout=300ms");
		instance.run((first) -> instance.run((second) -> {
			List<RestClient> apis = List.of(first.getBean(TokenClients.class).restClient("acme"),
					second.getBean(TokenClients.class).restClient("acme"));
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicInteger succeeded = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			ExecutorService load = Executors.newFixedThreadPool(8);
			for (int i = 0; i < 8; i++) {
				RestClient api = apis.get(i % 2);
				load.submit(() -> {
					while (running.get()) {
						try {
							api.get().uri(API_PATH).retrieve().body(String.class);
							succeeded.incrementAndGet();
						}
						catch (RuntimeException ex) {
							failed.incrementAndGet();
						}
					}
				});
			}
			try {
				await().until(() -> succeeded.get() > 200);
				this.redis.kill();
				// Every token expires while Redis is down: each instance renews on its own.
				this.clock.advance(Duration.ofSeconds(301));
				int beforeOutageRenewal = succeeded.get();
				await().atMost(Duration.ofSeconds(20)).until(() -> succeeded.get() > beforeOutageRenewal + 500);
				this.redis.restart();
				this.clock.advance(Duration.ofSeconds(301));
				await().atMost(Duration.ofSeconds(20))
					.until(() -> this.redis.entriesHoldingTokens("token-starter:client:*").size() == 1);
				int afterRecovery = succeeded.get();
				await().atMost(Duration.ofSeconds(20)).until(() -> succeeded.get() > afterRecovery + 500);
			}
			finally {
				running.set(false);
				load.shutdown();
				load.awaitTermination(30, TimeUnit.SECONDS);
			}
			assertThat(failed).hasValue(0);
			// Back on the shared store: both instances hold the token that Redis holds.
			String stored = first.getBean(TokenManager.class).cachedToken("acme").accessToken().getTokenValue();
			assertThat(second.getBean(TokenManager.class).cachedToken("acme").accessToken().getTokenValue())
				.isEqualTo(stored);
		}));
	}

	@Test
	void aTokenObtainedDuringTheOutageIsWrittenBackWhenRedisIsBackSoOthersDoNotAskTheProvider() {
		TokenStubs.inSequence(provider, TokenStubs::tokenRequest, token("BEFORE", 300), token("DURING", 300),
				token("UNWANTED", 300));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock)
			.withPropertyValues("token.store.redis.timeout=300ms");
		instance.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("BEFORE");
			this.redis.kill();
			this.clock.advance(Duration.ofSeconds(301));
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("DURING");
			// Redis comes back empty (it keeps nothing on disk); no call is made here afterwards.
			this.redis.restart();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.redis.entriesHoldingTokens("token-starter:client:*").size() == 1);
		});
		instance.run((other) -> {
			assertThat(other.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("DURING");
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
		});
	}

	/**
	 * A token revoked by an instance that cannot reach Redis at that moment: once Redis answers it again, the
	 * entry goes, and the other instances forget the token rather than serve it for the rest of its lifetime.
	 */
	@Test
	void aTokenRevokedWhileRedisCannotBeReachedIsRemovedOnceItCan() {
		TokenStubs.inSequence(provider, TokenStubs::tokenRequest, token("REVOKED", 300), token("NEXT", 300));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock);
		instance.run((revoking) -> instance.run((other) -> {
			TokenManager tokens = revoking.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("REVOKED");
			assertThat(other.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("REVOKED");
			RedisAvailability availability = revokeWhileRedisCannotBeReached(revoking);
			assertThat(this.redis.entriesHoldingTokens("token-starter:client:*")).hasSize(1);
			assertRemovedOnceRedisAnswers(availability, other);
		}));
	}

	/**
	 * In a fleet the token an instance holds was mostly stored by another instance and came by change message: a
	 * removal left for later must take away that token, not only one this instance read or wrote itself.
	 */
	@Test
	void aTokenTakenUpFromAnotherInstanceAndRevokedWhileRedisCannotBeReachedIsRemovedOnceItCan() {
		TokenStubs.inSequence(provider, TokenStubs::tokenRequest, token("FIRST", 300), token("REVOKED", 300),
				token("NEXT", 300));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock);
		instance.run((revoking) -> instance.run((other) -> {
			TokenManager tokens = revoking.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("FIRST");
			assertThat(other.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("FIRST");
			assertThat(other.getBean(TokenManager.class).refresh("acme").block().accessToken().getTokenValue())
				.isEqualTo("REVOKED");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "REVOKED".equals(tokens.cachedToken("acme").accessToken().getTokenValue()));
			assertRemovedOnceRedisAnswers(revokeWhileRedisCannotBeReached(revoking), other);
		}));
	}

	/**
	 * A sign-out reaches an instance that never held the user's token, while it cannot reach Redis: it has
	 * nothing to revoke at the provider, but the entry another instance stored must still go once Redis answers,
	 * or the session the user ended is served on.
	 */
	@Test
	void aTokenRevokedByAnInstanceThatNeverHeldItWhileRedisCannotBeReachedIsRemovedOnceItCan() {
		TokenStubs.inSequence(provider, TokenStubs::tokenRequest, token("SIGNED-OUT", 300), token("NEXT", 300));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock);
		TokenKey alice = TokenKey.forProvider("acme").principal("alice").build();
		instance.run((revoking) -> instance.run((other) -> {
			assertThat(other.getBean(TokenManager.class).token(alice).block().accessToken().getTokenValue())
				.isEqualTo("SIGNED-OUT");
			RedisAvailability availability = revoking.getBean(RedisAvailability.class);
			availability.failed("load", new IllegalStateException("connection refused"));
			revoking.getBean(TokenManager.class).revoke(alice).block();
			assertThat(this.redis.entriesHoldingTokens("token-starter:client:*")).hasSize(1);
			availability.succeeded();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.redis.entriesHoldingTokens("token-starter:client:*").isEmpty());
			await().atMost(Duration.ofSeconds(10))
				.until(() -> other.getBean(TokenManager.class).usableToken(alice) == null);
		}));
	}

	/**
	 * What another instance stored after the revoking instance last saw the entry is newer than the revoked token,
	 * and stays.
	 */
	@Test
	void aRemovalLeftForLaterLeavesATokenStoredSinceByAnotherInstance() {
		TokenStubs.inSequence(provider, TokenStubs::tokenRequest, token("REVOKED", 300), token("NEWER", 300));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock);
		instance.run((revoking) -> instance.run((other) -> {
			TokenManager tokens = revoking.getBean(TokenManager.class);
			tokens.token("acme").block();
			other.getBean(TokenManager.class).token("acme").block();
			RedisAvailability availability = revokeWhileRedisCannotBeReached(revoking);
			assertThat(other.getBean(TokenManager.class).refresh("acme").block().accessToken().getTokenValue())
				.isEqualTo("NEWER");

			availability.succeeded();
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
				.until(() -> this.redis.entriesHoldingTokens("token-starter:client:*").size() == 1);
			assertThat(other.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("NEWER");
		}));
	}

	/**
	 * Says Redis answers again to the revoking instance, and waits for the revoked token to leave Redis and the
	 * other instance, which then obtains the next one.
	 */
	private void assertRemovedOnceRedisAnswers(RedisAvailability availability, ApplicationContext other) {
		availability.succeeded();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.redis.entriesHoldingTokens("token-starter:client:*").isEmpty());
		await().atMost(Duration.ofSeconds(10))
			.until(() -> other.getBean(TokenManager.class).cachedToken("acme") == null);
		assertThat(other.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
			.isEqualTo("NEXT");
	}

	/**
	 * Revokes the provider's token on an instance that takes Redis for unreachable, as a failed command would make
	 * it.
	 * @return the instance's availability, to say when Redis answers again
	 */
	private static RedisAvailability revokeWhileRedisCannotBeReached(ApplicationContext revoking) {
		RedisAvailability availability = revoking.getBean(RedisAvailability.class);
		availability.failed("load", new IllegalStateException("connection refused"));
		revoking.getBean(TokenManager.class).revoke("acme").block();
		return availability;
	}

}
