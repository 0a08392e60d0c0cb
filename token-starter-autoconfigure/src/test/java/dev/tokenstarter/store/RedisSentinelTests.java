package dev.tokenstarter.store;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fleet mode behind Redis Sentinel, configured with Spring Boot's usual {@code spring.data.redis.sentinel.*}.
 */
class RedisSentinelTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private static RedisServer master;

	private static RedisServer sentinel;

	@BeforeAll
	static void startRedis() {
		master = RedisServer.start();
		sentinel = RedisServer.startSentinel("tokens", master.port());
	}

	@AfterAll
	static void stopRedis() {
		sentinel.close();
		master.close();
	}

	@Test
	void instancesFindTheMasterThroughSentinelAndShareOneToken() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		ApplicationContextRunner instance = FleetTestSupport.instance(provider, MutableClock.startingNow(),
				"spring.data.redis.sentinel.master=tokens",
				"spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.port());
		instance.run((first) -> instance.run((second) -> {
			assertThat(first.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("T1");
			assertThat(second.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("T1");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
			assertThat(master.entriesHoldingTokens("token-starter:client:*")).hasSize(1);
		}));
	}

}
