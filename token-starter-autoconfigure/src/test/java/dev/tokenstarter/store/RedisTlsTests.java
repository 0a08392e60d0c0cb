package dev.tokenstarter.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

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
import dev.tokenstarter.test.TestCertificates;
import dev.tokenstarter.test.Threads;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fleet mode over TLS, configured with nothing but Spring Boot's usual {@code spring.data.redis.ssl.*} and an SSL
 * bundle trusting the server's certificate.
 */
class RedisTlsTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private static final TestCertificates certificates = TestCertificates.generate();

	private static final int TLS_PORT = RedisServer.freePort();

	private static RedisServer redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.startWithTls(TLS_PORT, certificates.pem("server.crt"), certificates.pem("server.key"));
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void instancesShareOneTokenThroughATlsConnection() {
		provider.stubFor(tokenRequest().willReturn(token("T1", 300).withFixedDelay(200)));
		ApplicationContextRunner instance = FleetTestSupport.instance(provider, MutableClock.startingNow(),
				"spring.data.redis.host=localhost",
				"spring.data.redis.port=" + TLS_PORT, "spring.data.redis.ssl.enabled=true",
				"spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + certificates.pem("server.crt"));
		instance.run((first) -> instance.run((second) -> {
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				TokenManager tokens = ((i % 2 == 0) ? first : second).getBean(TokenManager.class);
				calls.add(() -> tokens.token("acme").block().accessToken().getTokenValue());
			}
			assertThat(Threads.runTogether(calls)).containsOnly("T1");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
			assertThat(redis.entriesHoldingTokens("token-starter:client:*")).hasSize(1);
		}));
	}

}
