package dev.tokenstarter.test;

import java.time.Clock;
import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.store.RedisKeys;
import dev.tokenstarter.store.RedisTokenEvents;

import static org.awaitility.Awaitility.await;

/**
 * Application contexts of one fleet: each its own engine, store, lock and Redisson client, all on one Redis and
 * one provider.
 */
public final class FleetTestSupport {

	/** A test-only AES-256 key (32 zero-based bytes); never a production key. */
	public static final String TEST_KEY = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);

	private FleetTestSupport() {
	}

	public static ApplicationContextRunner instance(RedisServer redis, WireMockExtension provider, Clock clock) {
		return instance(provider, clock, "spring.data.redis.url=" + redis.url());
	}

	/**
	 * An instance connected to Redis by {@code connection}, Spring Boot's own {@code spring.data.redis.*}
	 * properties.
	 */
	public static ApplicationContextRunner instance(WireMockExtension provider, Clock clock, String... connection) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class, TokenEngineAutoConfiguration.class,
					TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, () -> clock)
			.withPropertyValues(TokenStubs.providerProperties(provider, "acme"))
			.withPropertyValues(connection)
			.withPropertyValues("token.store.redis.encryption-keys=" + TEST_KEY, "token.store.redis.retry-interval=200ms",
					// Fleet tests judge coordination, not how long a caller waits: on a loaded machine a renewal
					// under the fleet lock can take longer than the default bound on callers.
					"token.defaults.refresh.max-caller-wait=30s");
	}

	/**
	 * Makes an instance deaf to the other instances' change messages (as a lost subscription or a dropped message
	 * would), and returns once it is: its listener is removed asynchronously, and a message that comes before
	 * would still reach it.
	 */
	public static void stopHearingChanges(ApplicationContext context) {
		RTopic channel = context.getBean(RedissonClient.class)
			.getTopic(context.getBean(RedisKeys.class).channel(), StringCodec.INSTANCE);
		int listening = channel.countListeners();
		context.getBean(RedisTokenEvents.class).stop();
		await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> channel.countListeners() < listening);
	}

}
