package dev.tokenstarter.store;

import java.util.List;
import java.util.stream.Collectors;

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
import static org.awaitility.Awaitility.await;

/**
 * Fleet mode on a Redis Cluster, configured with Spring Boot's usual {@code spring.data.redis.cluster.nodes}:
 * the compare-and-set script touches one key, and change messages reach every instance.
 */
class RedisClusterTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private static List<RedisServer> cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisServer.startCluster(3);
	}

	@AfterAll
	static void stopCluster() {
		cluster.forEach(RedisServer::close);
	}

	@Test
	void instancesShareOneTokenAndLearnNewOnesOnACluster() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		String nodes = cluster.stream().map((node) -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
		ApplicationContextRunner instance = FleetTestSupport.instance(provider, MutableClock.startingNow(),
				"spring.data.redis.cluster.nodes=" + nodes);
		instance.run((first) -> instance.run((second) -> {
			TokenManager here = first.getBean(TokenManager.class);
			TokenManager there = second.getBean(TokenManager.class);
			assertThat(here.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(there.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
			provider.stubFor(tokenRequest().willReturn(token("T2", 300)));
			here.refresh("acme").block();
			await().until(() -> "T2".equals(there.cachedToken("acme").accessToken().getTokenValue()));
		}));
	}

}
