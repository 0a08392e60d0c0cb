package dev.tokenstarter.observe;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration;
import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.TokenStubs;

import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What an instance of a fleet reports of a provider when its teammates obtain the tokens it serves, on a real
 * redis-server: most instances of a fleet never ask the provider themselves, so the time to expiry and the
 * health must follow the token held, wherever it came from.
 */
class FleetTokenStatusTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner instance = FleetTestSupport
		.instance(redisServer.server(), provider, this.clock)
		.withConfiguration(AutoConfigurations.of(TokenMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("token.providers.acme.retry.max-attempts=1", "token.scheduler.enabled=false");

	@Test
	void theExpiryGaugeOfAnInstanceFollowsTheTokensItTakesUpFromItsTeammates() {
		inSequence(provider, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
		this.instance.run((first) -> this.instance.run((second) -> {
			TokenManager obtaining = first.getBean(TokenManager.class);
			TokenManager takingUp = second.getBean(TokenManager.class);
			obtaining.token("acme").block();
			assertThat(takingUp.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(count(provider, tokenRequests())).isOne();
			assertThat(expiry(second)).isBetween(290.0, 300.0);
			this.clock.advance(Duration.ofSeconds(200));
			obtaining.refresh("acme").block();
			await().until(() -> "T2".equals(takingUp.cachedToken("acme").accessToken().getTokenValue()));
			assertThat(expiry(second)).isBetween(290.0, 300.0);
		}));
	}

	/**
	 * An instance whose own renewal failed, and which then took up a teammate's newer token, has nothing left
	 * failing: once that token has expired unused, its health must not go DOWN on the old error, which would take
	 * an idle instance out of service with nothing to bring it back.
	 */
	@Test
	void anErrorOlderThanTheTokenTakenUpSinceLeavesTheProviderHealthy() {
		provider.stubFor(clientCredentialsRequest().willReturn(error(503, "temporarily_unavailable")));
		this.instance.run((first) -> this.instance.run((second) -> {
			TokenManager obtaining = first.getBean(TokenManager.class);
			TokenManager failing = second.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> failing.token("acme").block());
			assertThat(TokenOverview.healthy(failing.status("acme"))).isFalse();
			this.clock.advance(Duration.ofSeconds(1));
			provider.resetAll();
			provider.stubFor(clientCredentialsRequest().willReturn(token("T1", 300)));
			obtaining.token("acme").block();
			await().until(() -> failing.cachedToken("acme") != null);
			this.clock.advance(Duration.ofSeconds(301));
			ProviderStatus idle = failing.status("acme");
			assertThat(idle.usable()).isFalse();
			assertThat(idle.lastError()).isEqualTo("temporarily_unavailable");
			assertThat(TokenOverview.healthy(idle)).isTrue();
		}));
	}

	private static double expiry(org.springframework.context.ApplicationContext context) {
		return context.getBean(MeterRegistry.class).get("token.expiry").tags("provider", "acme").gauge().value();
	}

}
