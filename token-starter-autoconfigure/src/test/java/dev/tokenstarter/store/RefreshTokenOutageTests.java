package dev.tokenstarter.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RotatingRefreshTokenProvider;
import dev.tokenstarter.test.Threads;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While Redis is down the fleet cannot agree on who spends a rotating refresh token, and two instances spending
 * the same one make the provider end the session as stolen. Only the instance the provider gave the refresh token
 * to spends it then; the others wait for Redis and take its token from there.
 */
class RefreshTokenOutageTests {

	private static final int LIFETIME = 300;

	private static final RotatingRefreshTokenProvider rotating = new RotatingRefreshTokenProvider(LIFETIME);

	@RegisterExtension
	static final WireMockExtension provider = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().extensions(rotating))
		.build();

	private final RedisServer redis = RedisServer.start();

	private final MutableClock clock = MutableClock.startingNow();

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void whileRedisIsDownOnlyTheInstanceThatWasGivenTheRefreshTokenSpendsIt() {
		provider.stubFor(tokenRequest().willReturn(aResponse().withTransformers(rotating.getName())));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock)
			.withPropertyValues("token.store.redis.timeout=300ms");
		instance.run((first) -> instance.run((second) -> {
			TokenManager given = first.getBean(TokenManager.class);
			TokenManager reader = second.getBean(TokenManager.class);
			String before = given.token("acme").block().accessToken().getTokenValue();
			assertThat(reader.token("acme").block().accessToken().getTokenValue()).isEqualTo(before);
			int refreshesBefore = rotating.refreshes();
			int reusesBefore = rotating.reuses();
			this.redis.kill();
			this.clock.advance(Duration.ofSeconds(LIFETIME + 1));

			List<Callable<Object>> both = List.of(() -> outcome(given), () -> outcome(reader));
			List<Object> outcomes = Threads.runTogether(both);

			assertThat(rotating.reuses()).isEqualTo(reusesBefore);
			assertThat(rotating.refreshes()).isEqualTo(refreshesBefore + 1);
			String renewed = (String) outcomes.get(0);
			assertThat(renewed).isNotEqualTo(before);
			assertThat(outcomes.get(1)).isInstanceOfSatisfying(TokenAcquisitionException.class,
					(ex) -> assertThat(ex.getError().getErrorCode()).isEqualTo(TokenManager.COORDINATION_LOST));
			assertThat(reader.status("acme").coordinationLost()).isTrue();
			assertThat(given.status("acme").coordinationLost()).isFalse();

			// Redis comes back empty: the instance that renewed writes its token back, and the other takes it.
			this.redis.restart();
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> reader.token("acme").block().accessToken().getTokenValue().equals(renewed));
			assertThat(rotating.reuses()).isEqualTo(reusesBefore);
			assertThat(rotating.refreshes()).isEqualTo(refreshesBefore + 1);
		}));
	}

	@Test
	void aRefreshTokenNobodySpentDuringTheOutageIsSpentOnceTheFleetHadTimeToRejoin() {
		provider.stubFor(tokenRequest().willReturn(aResponse().withTransformers(rotating.getName())));
		ApplicationContextRunner instance = FleetTestSupport.instance(this.redis, provider, this.clock)
			.withPropertyValues("token.store.redis.timeout=300ms");
		instance.run((first) -> instance.run((second) -> {
			TokenManager reader = second.getBean(TokenManager.class);
			String before = first.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue();
			assertThat(reader.token("acme").block().accessToken().getTokenValue()).isEqualTo(before);
			int refreshesBefore = rotating.refreshes();
			int reusesBefore = rotating.reuses();
			this.redis.kill();
			this.clock.advance(Duration.ofSeconds(LIFETIME + 1));
			assertThat(outcome(reader)).isInstanceOf(TokenAcquisitionException.class);
			// The instance the refresh token was given to goes away without spending it.
			first.close();
			this.redis.restart();

			await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> !reader.token("acme").block().accessToken().getTokenValue().equals(before));
			assertThat(rotating.refreshes()).isEqualTo(refreshesBefore + 1);
			assertThat(rotating.reuses()).isEqualTo(reusesBefore);
		}));
	}

	private static Object outcome(TokenManager tokens) {
		try {
			return tokens.token("acme").block(Duration.ofSeconds(10)).accessToken().getTokenValue();
		}
		catch (TokenAcquisitionException ex) {
			return ex;
		}
	}

}
