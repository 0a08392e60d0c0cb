package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.SentinelTopology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis Sentinel with one master, one replica and three sentinels: a failover that completes within the store's
 * timeout is ridden out by retrying against the new master, not taken for an outage; and the store reads from the
 * master, where its compare-and-set writes go.
 */
class RedisSentinelFailoverTests {

	private static final String MASTER_NAME = "mymaster";

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private SentinelTopology topology;

	@BeforeEach
	void startSentinelTopology() {
		this.topology = SentinelTopology.start(MASTER_NAME, null);
	}

	@AfterEach
	void stopSentinelTopology() {
		this.topology.close();
	}

	@Test
	void failoverWithinTheStoreTimeoutFailsNoStoreOrLockOperation() throws Exception {
		instance().run((context) -> {
			ReactiveOAuth2AuthorizedClientService store = context.getBean(ReactiveOAuth2AuthorizedClientService.class);
			TokenLock lock = context.getBean(TokenLock.class);
			RedisAvailability availability = context.getBean(RedisAvailability.class);
			List<String> failures = new CopyOnWriteArrayList<>();
			availability.onFailure(failures::add);
			ClientRegistration registration = registration(context);
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicBoolean degraded = new AtomicBoolean();
			AtomicInteger afterFailover = new AtomicInteger();
			AtomicInteger unreadWrites = new AtomicInteger();
			CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
				boolean failedOver = false;
				for (int i = 0; running.get(); i++) {
					if (i == 20) {
						// Between two operations, so every command after this is issued during the failover;
						// a command already in flight when a master dies has an unknown outcome, which Redisson
						// never resends for a lock.
						this.topology.failover();
						this.topology.master().kill();
						failedOver = true;
					}
					String principal = "failover-" + i;
					OAuth2AuthorizedClient loaded = lock
						.withLock(principal,
								() -> store.saveAuthorizedClient(authorizedClient(registration, principal),
										new TestingAuthenticationToken(principal, ""))
									.then(store.loadAuthorizedClient(registration.getRegistrationId(), principal)))
						.block(Duration.ofSeconds(30));
					if (loaded == null) {
						unreadWrites.incrementAndGet();
					}
					degraded.compareAndSet(false, availability.isDegraded());
					if (failedOver) {
						afterFailover.incrementAndGet();
					}
				}
			});
			try {
				await().atMost(Duration.ofSeconds(20))
					.until(this.topology::replicaIsMaster);
				await().atMost(Duration.ofSeconds(15)).until(() -> afterFailover.get() >= 50 || loop.isDone());
			}
			finally {
				running.set(false);
				loop.get(40, TimeUnit.SECONDS);
			}
			assertThat(failures).isEmpty();
			assertThat(degraded).isFalse();
			assertThat(unreadWrites).hasValue(0);
			assertThat(afterFailover.get()).isGreaterThanOrEqualTo(50);
			assertThat(this.topology.replica().entriesHoldingTokens("token-starter:client:*")).hasSizeGreaterThanOrEqualTo(50);
		});
	}

	/**
	 * A planned switchover leaves the old master running and taking writes until the sentinels turn it into a
	 * replica, and each instance finds the new master at its own time: for a moment some instances lock on the
	 * old master and others on the new one. Three instances contend for one lock through the switchover, each
	 * holder counting itself in while it holds the lock.
	 */
	@Test
	void plannedSwitchoverNeverLetsTwoInstancesHoldTheLockAndFailsNoLockOperation() throws Exception {
		ApplicationContextRunner instance = instance().withPropertyValues("token.store.redis.timeout=8s");
		instance.run((first) -> instance.run((second) -> instance.run((third) -> {
			List<String> failures = new CopyOnWriteArrayList<>();
			AtomicInteger holders = new AtomicInteger();
			AtomicInteger mostHolders = new AtomicInteger();
			AtomicInteger held = new AtomicInteger();
			AtomicLong longestNanos = new AtomicLong();
			AtomicBoolean running = new AtomicBoolean(true);
			List<CompletableFuture<Void>> contenders = new ArrayList<>();
			ExecutorService threads = Executors.newFixedThreadPool(6);
			for (ApplicationContext context : List.of(first, second, third)) {
				context.getBean(RedisAvailability.class).onFailure(failures::add);
				TokenLock lock = context.getBean(TokenLock.class);
				for (int i = 0; i < 2; i++) {
					contenders.add(CompletableFuture.runAsync(() -> {
						while (running.get()) {
							long start = System.nanoTime();
							// Exclusive: never runs the work without the lock while Redis answers.
							// Counted out before the work ends, as the lock is released only after that.
							lock.withExclusiveLock("switchover", () -> Mono.fromRunnable(() -> {
								mostHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
								held.incrementAndGet();
							}).then(Mono.delay(Duration.ofMillis(20))).then(Mono.fromRunnable(holders::decrementAndGet)))
								.block(Duration.ofSeconds(30));
							longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
						}
					}, threads));
				}
			}
			try {
				await().atMost(Duration.ofSeconds(10)).until(() -> held.get() >= 50);
				this.topology.failover();
				await().atMost(Duration.ofSeconds(20)).until(this.topology::replicaIsMaster);
				int beforeSwitch = held.get();
				// Long enough for every instance to find the new master and lock there for a while.
				await().atMost(Duration.ofSeconds(20)).until(() -> held.get() >= beforeSwitch + 100);
			}
			finally {
				running.set(false);
				CompletableFuture.allOf(contenders.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
				threads.shutdown();
			}
			System.out.printf("[sentinel lock] %d holds, at most %d holder(s) at once, longest lock operation %.2f s, "
					+ "%d Redis failures, WAIT sent %d times%n", held.get(), mostHolders.get(),
					longestNanos.get() / 1e9, failures.size(),
					this.topology.master().calls("wait") + this.topology.replica().calls("wait"));
			assertThat(mostHolders).as("instances holding the lock at once").hasValue(1);
			assertThat(failures).as("Redis failures").isEmpty();
			assertThat(this.topology.master().calls("wait") + this.topology.replica().calls("wait"))
				.as("WAIT commands, which hang the lock when a switchover closes the connection").isZero();
		})));
	}

	@Test
	void storeReadsItsEntriesFromTheMaster() {
		instance().run((context) -> {
			ReactiveOAuth2AuthorizedClientService store = context.getBean(ReactiveOAuth2AuthorizedClientService.class);
			ClientRegistration registration = registration(context);
			for (int i = 0; i < 20; i++) {
				String principal = "reader-" + i;
				store.saveAuthorizedClient(authorizedClient(registration, principal),
						new TestingAuthenticationToken(principal, ""))
					.block();
				assertThat(store.loadAuthorizedClient(registration.getRegistrationId(), principal).blockOptional())
					.isPresent();
			}
			assertThat(this.topology.master().calls("hgetall")).isGreaterThanOrEqualTo(20);
			assertThat(this.topology.replica().calls("hgetall")).isZero();
		});
	}

	private ApplicationContextRunner instance() {
		return FleetTestSupport
			.instance(provider, this.clock, this.topology.connectionProperties())
			.withPropertyValues("token.store.redis.timeout=6s");
	}

	private static ClientRegistration registration(ApplicationContext context) {
		return context.getBean(TokenClientRegistrationRepository.class).findByRegistrationId("acme").block();
	}

	private OAuth2AuthorizedClient authorizedClient(ClientRegistration registration, String principal) {
		Instant now = this.clock.instant();
		return new OAuth2AuthorizedClient(registration, principal,
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "T-" + principal, now, now.plusSeconds(300)));
	}

}
