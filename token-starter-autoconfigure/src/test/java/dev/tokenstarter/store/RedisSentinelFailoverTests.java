package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
import dev.tokenstarter.test.RedisServer;

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

	private final List<RedisServer> servers = new ArrayList<>();

	private RedisServer master;

	private RedisServer replica;

	private List<RedisServer> sentinels;

	@BeforeEach
	void startSentinelTopology() {
		this.master = start(RedisServer.start());
		this.replica = start(RedisServer.start());
		// Loads the master's data straight from the connection, without an RDB file in the working directory.
		this.replica.command("CONFIG", "SET", "repl-diskless-load", "on-empty-db");
		this.replica.command("REPLICAOF", "127.0.0.1", Integer.toString(this.master.port()));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.replica.command("INFO", "replication").get(0).contains("master_link_status:up"));
		this.sentinels = List.of(start(RedisServer.startSentinel(MASTER_NAME, this.master.port())),
				start(RedisServer.startSentinel(MASTER_NAME, this.master.port())),
				start(RedisServer.startSentinel(MASTER_NAME, this.master.port())));
		// Each sentinel must know the replica (to promote it) and the other sentinels (to hand them the new
		// configuration after the failover).
		await().atMost(Duration.ofSeconds(15)).until(() -> this.sentinels.stream().allMatch((sentinel) -> {
			List<String> replicas = sentinel.command("SENTINEL", "REPLICAS", MASTER_NAME);
			List<String> others = sentinel.command("SENTINEL", "SENTINELS", MASTER_NAME);
			return replicas.contains(Integer.toString(this.replica.port())) && replicas.contains("slave")
					&& others.stream().filter("name"::equals).count() == 2;
		}));
	}

	@AfterEach
	void stopSentinelTopology() {
		this.servers.forEach(RedisServer::close);
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
						this.sentinels.get(0).command("SENTINEL", "FAILOVER", MASTER_NAME);
						this.master.kill();
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
					.until(() -> this.sentinels.get(0)
						.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
						.contains(Integer.toString(this.replica.port())));
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
			assertThat(this.replica.command("KEYS", "token-starter:client:*")).hasSizeGreaterThanOrEqualTo(50);
		});
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
			assertThat(this.master.calls("hgetall")).isGreaterThanOrEqualTo(20);
			assertThat(this.replica.calls("hgetall")).isZero();
		});
	}

	private ApplicationContextRunner instance() {
		String nodes = this.sentinels.stream()
			.map((sentinel) -> "127.0.0.1:" + sentinel.port())
			.collect(Collectors.joining(","));
		return FleetTestSupport
			.instance(provider, this.clock, "spring.data.redis.sentinel.master=" + MASTER_NAME,
					"spring.data.redis.sentinel.nodes=" + nodes)
			.withPropertyValues("token.store.redis.timeout=6s");
	}

	private RedisServer start(RedisServer server) {
		this.servers.add(server);
		return server;
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
