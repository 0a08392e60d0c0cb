package dev.tokenstarter.grant;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Every {@code token.requests} observation is stopped, also when nobody waits for the answer any more: a
 * request cut by the provider's overall {@code retry.timeout} is a failure with reason {@code timeout}, one whose
 * subscriber went away is {@code cancelled}. Before, both left the observation open: no timer sample, a span
 * never ended, and an active long task forever.
 */
class TokenRequestObservationTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, MutableClock.startingNow(), "acme")
		.withBean(ObservationRegistry.class, () -> {
			ObservationRegistry observations = ObservationRegistry.create();
			observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.registry));
			return observations;
		});

	@Test
	void aRequestCutByTheOverallTimeoutIsAStoppedFailureWithReasonTimeout() {
		server.stubFor(tokenRequest().willReturn(token("LATE", 300).withFixedDelay(3000)));
		this.runner
			.withPropertyValues("token.providers.acme.retry.timeout=300ms",
					"token.providers.acme.retry.request-timeout=10s")
			.run((context) -> {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> context.getBean(TokenManager.class).token("acme").block())
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("timeout"));
				await().untilAsserted(() -> assertThat(requests("failure", "timeout")).isEqualTo(1));
				assertThat(activeRequests()).isZero();
			});
	}

	@Test
	void aRequestWhoseCallerWentAwayIsAStoppedCancelledObservation() {
		server.stubFor(tokenRequest().willReturn(token("LATE", 300).withFixedDelay(3000)));
		this.runner.run((context) -> {
			ClientRegistration registration = context.getBean(TokenClientRegistrationRepository.class)
				.findByRegistrationId("acme")
				.block();
			ProviderGrants grants = context.getBean(TokenGrants.class).forRegistration(registration);
			Disposable caller = grants.obtain(registration, new TestingAuthenticationToken("app", null), null)
				.subscribe((client) -> {
				}, (ex) -> {
				});
			await().until(() -> count(server, tokenRequests()) == 1);
			assertThat(activeRequests()).isOne();
			caller.dispose();
			assertThat(requests("cancelled", "none")).isEqualTo(1);
			assertThat(activeRequests()).isZero();
		});
	}

	@Test
	void aSuccessfulRequestIsStoppedOnce() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		this.runner.run((context) -> {
			context.getBean(TokenManager.class).token("acme").block(Duration.ofSeconds(10));
			assertThat(requests("success", "none")).isEqualTo(1);
			assertThat(this.registry.get(ProviderGrants.OBSERVATION).timers()).hasSize(1);
			assertThat(activeRequests()).isZero();
		});
	}

	private long requests(String outcome, String reason) {
		return this.registry.find(ProviderGrants.OBSERVATION)
			.tags("provider", "acme", "grant", "client_credentials", "outcome", outcome, "reason", reason)
			.timers()
			.stream()
			.mapToLong((timer) -> timer.count())
			.sum();
	}

	private int activeRequests() {
		return this.registry.find(ProviderGrants.OBSERVATION + ".active")
			.longTaskTimers()
			.stream()
			.mapToInt((timer) -> timer.activeTasks())
			.sum();
	}

}
