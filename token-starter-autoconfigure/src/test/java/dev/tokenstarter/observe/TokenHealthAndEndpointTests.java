package dev.tokenstarter.observe;

import java.time.Duration;
import java.util.Map;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenActuatorAutoConfiguration;
import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code tokens} health indicator and endpoint: what they report, that they never ask a provider, and when
 * they exist.
 */
class TokenHealthAndEndpointTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme")
		.withConfiguration(AutoConfigurations.of(TokenActuatorAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=health,tokens");

	@Test
	void healthIsUpBeforeAnyCallDownWhenRenewalsFailWithoutATokenAndUpAgainAfterASuccess() {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, error(400, "invalid_scope"), token("T1", 300));
		this.runner.run((context) -> {
			HealthIndicator health = context.getBean("tokensHealthIndicator", HealthIndicator.class);
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			assertThat(count(server, tokenRequests())).as("health never asks the provider").isZero();

			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("acme").block());
			Health down = health.health();
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("store", "memory");
			assertThat(providerDetails(down)).containsEntry("error", "invalid_scope").containsEntry("tokenHeld", false);

			this.clock.advance(Duration.ofSeconds(6));
			tokens.token("acme").block();
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void aFailingRenewalWhileAValidTokenIsHeldStaysUp() {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, token("T1", 300), error(500, "server_error"));
		this.runner.withPropertyValues("token.providers.acme.retry.max-attempts=1").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token("acme").block();
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.refresh("acme").block());
			ProviderStatus status = tokens.status("acme");
			assertThat(status.usable()).isTrue();
			assertThat(status.lastError()).isEqualTo("server_error");
			assertThat(context.getBean("tokensHealthIndicator", HealthIndicator.class).health().getStatus())
				.isEqualTo(Status.UP);
		});
	}

	/**
	 * A key's failure (a user's expired session, an audience the client may not ask for) says nothing of the
	 * instance: it must not turn the health, which an application may put in its readiness group, DOWN.
	 */
	@Test
	void aKeysFailedRenewalLeavesTheHealthUpAndTheProvidersStatusClear() {
		server.stubFor(TokenStubs.tokenRequest().willReturn(error(400, "invalid_target")));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey audience = TokenKey.forProvider("acme").audience("orders").build();
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token(audience).block());
			ProviderStatus status = tokens.status("acme");
			assertThat(status.lastError()).isNull();
			assertThat(status.failures()).isOne();
			assertThat(context.getBean("tokensHealthIndicator", HealthIndicator.class).health().getStatus())
				.isEqualTo(Status.UP);
		});
	}

	@Test
	void endpointListsProvidersAndRenewsOnRequest() {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300));
		this.runner.run((context) -> {
			TokensEndpoint endpoint = context.getBean(TokensEndpoint.class);
			assertThat(endpoint.tokens()).containsEntry("store", "memory").containsKey("providers");
			assertThat(endpoint.provider("acme").usable()).isFalse();
			assertThat(endpoint.provider("unknown")).isNull();
			ProviderStatus refreshed = endpoint.refresh("acme");
			assertThat(refreshed.usable()).isTrue();
			assertThat(refreshed.grant()).isEqualTo("client_credentials");
			assertThat(refreshed.tokensObtained()).isEqualTo(1);
			assertThat(endpoint.refresh("acme").tokensObtained()).isEqualTo(2);
			assertThat(context.getBean(TokenManager.class).cachedToken("acme").accessToken().getTokenValue())
				.isEqualTo("T2");
			assertThat(endpoint.evict("acme").usable()).isFalse();
		});
	}

	/**
	 * A token exchange's tokens are all its subjects': its provider has no token of the application's to forget,
	 * which the endpoint reports with the provider's status rather than a server error.
	 */
	@Test
	void evictingAProviderWithoutAnApplicationTokenReportsItsStatus() {
		this.runner.withPropertyValues(TokenStubs.providerProperties(server, "orders"))
			.withPropertyValues("token.providers.orders.grant-type=token-exchange",
					"token.providers.orders.audience=orders-api")
			.run((context) -> {
				ProviderStatus evicted = context.getBean(TokensEndpoint.class).evict("orders");
				assertThat(evicted).isNotNull();
				assertThat(evicted.usable()).isFalse();
			});
	}

	@Test
	void healthIndicatorCanBeSwitchedOffTheActuatorWay() {
		this.runner.withPropertyValues("management.health.tokens.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("tokensHealthIndicator")
				.hasSingleBean(TokensEndpoint.class));
	}

	@Test
	void endpointIsOnlyCreatedWhenExposed() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(TokensEndpoint.class)
				.hasBean("tokensHealthIndicator"));
	}

	@Test
	void withoutActuatorNeitherHealthNorEndpointExists() {
		this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TokensEndpoint.class)
				.doesNotHaveBean("tokensHealthIndicator")
				.hasSingleBean(TokenManager.class));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> providerDetails(Health health) {
		return (Map<String, Object>) ((Map<String, Object>) health.getDetails().get("providers")).get("acme");
	}

}
