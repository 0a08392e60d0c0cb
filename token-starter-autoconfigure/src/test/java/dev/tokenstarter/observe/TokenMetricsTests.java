package dev.tokenstarter.observe;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The meters operators chart: token requests, look-ups, waits, 401 retries and time to expiry.
 */
class TokenMetricsTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme")
		.withConfiguration(AutoConfigurations.of(TokenMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, () -> this.registry)
		.withBean(ObservationRegistry.class, () -> {
			ObservationRegistry observations = ObservationRegistry.create();
			observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.registry));
			return observations;
		});

	@Test
	void everyEngineEventBecomesAMeter() {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300),
				token("T3", 300));
		server.stubFor(apiWith("T2").willReturn(aResponse().withStatus(401)));
		server.stubFor(apiWith("T3").willReturn(ok("hello")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			tokens.token("acme").block();
			this.clock.advance(Duration.ofSeconds(250));
			tokens.token("acme").block();
			await().until(() -> "T2".equals(tokens.cachedToken("acme").accessToken().getTokenValue()));
			WebClient api = context.getBean(TokenClients.class).webClient("acme");
			assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("hello");

			assertThat(lookups("miss")).isEqualTo(1);
			assertThat(lookups("stale")).isEqualTo(1);
			assertThat(lookups("hit")).isEqualTo(2);
			assertThat(this.registry.get("token.requests")
				.tags("provider", "acme", "grant", "client_credentials", "outcome", "success", "reason", "none")
				.timer()
				.count()).isEqualTo(3);
			assertThat(this.registry.get("token.wait").tags("provider", "acme", "outcome", "success").timer().count())
				.isEqualTo(2);
			assertThat(this.registry.get("token.unauthorized.retries")
				.tags("provider", "acme", "outcome", "success")
				.counter()
				.count()).isEqualTo(1);
			assertThat(this.registry.get("token.expiry").tags("provider", "acme").gauge().value())
				.isBetween(290.0, 300.0);
		});
	}

	/**
	 * A provider name that names no provider (an application's typo, or a name taken from a request) fails the
	 * call; counted as a miss, each such name would be a meter for good.
	 */
	@Test
	void aNameOfNoProviderMakesNoMeter() {
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			for (String name : List.of("typo", "tenant-1", "tenant-2")) {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token(TokenKey.forProvider(name).build()).block());
			}
			assertThat(this.registry.getMeters()).allSatisfy((meter) -> assertThat(meter.getId().getTags())
				.noneSatisfy((tag) -> assertThat(tag.getValue()).containsAnyOf("typo", "tenant")));
		});
	}

	@Test
	void keyedTokensAreCountedByProviderOnlyAndTheKeysHeldAreAGauge() {
		server.stubFor(TokenStubs.tokenRequest().willReturn(token("T1", 300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			context.getBean(TokenKeyMetrics.class).bindTo(this.registry);
			for (String user : List.of("alice", "bob", "carol")) {
				tokens.token(TokenKey.forProvider("acme").principal(user).audience("orders").build()).block();
			}
			tokens.token("acme").block();
			assertThat(this.registry.get("token.keys.held").gauge().value()).isEqualTo(4.0);
			assertThat(this.registry.get("token.requests").tags("provider", "acme").timer().count()).isEqualTo(4);
			assertThat(this.registry.getMeters()).allSatisfy((meter) -> assertThat(meter.getId().getTags())
				.noneSatisfy((tag) -> assertThat(tag.getValue()).containsAnyOf("alice", "bob", "carol", "orders")));
		});
	}

	/**
	 * The expiry gauge is the provider's application token's: a user's or an audience's token, obtained later
	 * and expiring sooner, must not take its place, or the alert on a provider without a valid token fires when the
	 * last user stops calling.
	 */
	@Test
	void theExpiryGaugeFollowsTheApplicationTokenOnly() {
		server.stubFor(TokenStubs.tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(TokenStubs.tokenRequest()
			.withRequestBody(containing("audience=orders"))
			.atPriority(1)
			.willReturn(token("ORDERS", 60)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			tokens.token(TokenKey.forProvider("acme").audience("orders").build()).block();
			assertThat(this.registry.get("token.expiry").tags("provider", "acme").gauge().value())
				.isBetween(290.0, 300.0);
		});
	}

	@Test
	void failedRequestsAreTaggedWithALowCardinalityError() {
		server.stubFor(TokenStubs.tokenRequest().willReturn(error(401, "invalid_client")));
		this.runner.run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("acme").block());
			assertThat(this.registry.get("token.requests")
				.tags("provider", "acme", "outcome", "failure", "reason", "invalid_client")
				.timer()
				.count()).isEqualTo(1);
			assertThat(this.registry.get("token.wait").tags("outcome", "failure").timer().count()).isEqualTo(1);
		});
	}

	@Test
	void aProviderInventedErrorCodeIsTaggedByStatusClass() {
		server.stubFor(TokenStubs.tokenRequest().willReturn(error(403, "account_locked_1234")));
		this.runner.run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("acme").block());
			assertThat(this.registry.get("token.requests").tags("reason", "4xx").timer().count()).isEqualTo(1);
		});
	}

	@Test
	void withoutAMeterRegistryNoMetersAreRegistered() {
		EngineTestSupport.runner(server, this.clock, "acme")
			.withConfiguration(AutoConfigurations.of(TokenMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(MicrometerTokenObserver.class)
				.hasSingleBean(TokenManager.class));
	}

	@Test
	void withoutMicrometerOnTheClassPathTheEngineStillStarts() {
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).doesNotHaveBean(MicrometerTokenObserver.class)
				.hasSingleBean(TokenManager.class));
	}

	private double lookups(String result) {
		return this.registry.get("token.lookups").tags("provider", "acme", "result", result).counter().count();
	}

}
