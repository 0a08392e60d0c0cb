package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.lock.RedissonTokenLock;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;

import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet follows the Redis connection wherever Spring Boot's {@link DataRedisConnectionDetails} says it is: a
 * Testcontainers or Docker Compose service connection (a {@code DataRedisConnectionDetails} bean, here declared by
 * hand, since these machines have no Docker) turns the Redis store on and wins over {@code spring.data.redis.*},
 * and a master-replica connection is served by its master.
 */
class RedisServiceConnectionTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@Test
	void aServiceConnectionAloneTurnsTheFleetOn() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		try (RedisServer redis = RedisServer.start()) {
			FleetTestSupport.instance(provider, MutableClock.startingNow())
				.withBean(DataRedisConnectionDetails.class, () -> standalone(redis))
				.run((context) -> assertFleetStoresIn(redis, context));
		}
	}

	/**
	 * The way a Testcontainers service connection is usually declared: a {@code @Bean} of a configuration class
	 * (the container's, which Spring Boot turns into connection details), not a bean registered before the
	 * context starts. Bean methods are registered after configuration classes are parsed.
	 */
	@Test
	void aServiceConnectionDeclaredByABeanMethodTurnsTheFleetOn() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		try (RedisServer redis = RedisServer.start()) {
			FleetTestSupport.instance(provider, MutableClock.startingNow())
				.withUserConfiguration(ServiceConnectionConfiguration.class)
				.withPropertyValues("test.redis.port=" + redis.port())
				.run((context) -> assertFleetStoresIn(redis, context));
		}
	}

	/**
	 * A blank {@code token.store.type} (an unset {@code ${TOKEN_STORE_TYPE:}}) is no type: the connection decides.
	 */
	@Test
	void aBlankStoreTypeLeavesTheChoiceToTheConnection() {
		try (RedisServer redis = RedisServer.start()) {
			FleetTestSupport.instance(provider, MutableClock.startingNow(), "spring.data.redis.url=" + redis.url(),
					"token.store.type=")
				.run(RedisServiceConnectionTests::assertFleetOn);
		}
	}

	@Test
	void aServiceConnectionWinsOverTheConnectionProperties() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		try (RedisServer redis = RedisServer.start()) {
			FleetTestSupport.instance(provider, MutableClock.startingNow(), "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + RedisServer.freePort())
				.withBean(DataRedisConnectionDetails.class, () -> standalone(redis))
				.run((context) -> {
					context.getBean(TokenManager.class).token("acme").block();
					await().atMost(Duration.ofSeconds(10)).until(() -> !keys(redis).isEmpty());
				});
		}
	}

	/**
	 * A service connection without TLS (a test's container) beside production's {@code spring.data.redis.ssl}:
	 * Spring Boot's own client follows the connection, and so must the fleet's, or it sends a TLS handshake to a
	 * plain port and every store and lock command fails.
	 */
	@Test
	void aPlainServiceConnectionIsUsedWithoutTlsWhateverSpringDataRedisSslSays() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		try (RedisServer redis = RedisServer.start()) {
			FleetTestSupport.instance(provider, MutableClock.startingNow(), "spring.data.redis.ssl.enabled=true")
				.withBean(DataRedisConnectionDetails.class, () -> standalone(redis))
				.run((context) -> assertFleetStoresIn(redis, context));
		}
	}

	@Test
	void aMasterReplicaConnectionTurnsTheFleetOnAndWritesToTheMaster() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		try (RedisServer master = RedisServer.start(); RedisServer replica = RedisServer.start()) {
			replica.command("REPLICAOF", "127.0.0.1", Integer.toString(master.port()));
			// The replica comes first: the store must find the master, not write to the first node named.
			FleetTestSupport.instance(provider, MutableClock.startingNow(), "spring.data.redis.masterreplica.nodes="
					+ "127.0.0.1:" + replica.port() + ",127.0.0.1:" + master.port())
				.run((context) -> assertFleetStoresIn(master, context));
		}
	}

	private static DataRedisConnectionDetails standalone(RedisServer redis) {
		return standalone(redis.port());
	}

	private static DataRedisConnectionDetails standalone(int port) {
		return new DataRedisConnectionDetails() {

			@Override
			public Standalone getStandalone() {
				return Standalone.of("127.0.0.1", port);
			}

		};
	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConnectionConfiguration {

		@Bean
		DataRedisConnectionDetails redisConnectionDetails(Environment environment) {
			return standalone(environment.getRequiredProperty("test.redis.port", Integer.class));
		}

	}

	/**
	 * Asserts that the fleet is on, and that a token obtained is stored in the given Redis.
	 */
	private static void assertFleetStoresIn(RedisServer redis, ApplicationContext context) {
		assertFleetOn(context);
		context.getBean(TokenManager.class).token("acme").block();
		await().atMost(Duration.ofSeconds(10)).until(() -> !keys(redis).isEmpty());
	}

	private static void assertFleetOn(ApplicationContext context) {
		assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
			.isInstanceOf(RedisAuthorizedClientService.class);
		assertThat(context.getBean(TokenLock.class)).isInstanceOf(RedissonTokenLock.class);
	}

	private static List<String> keys(RedisServer redis) {
		return redis.command("KEYS", "*").stream().filter((key) -> !key.isBlank()).toList();
	}

}
