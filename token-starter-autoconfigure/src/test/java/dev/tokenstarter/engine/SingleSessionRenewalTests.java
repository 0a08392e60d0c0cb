package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.lock.LocalTokenLock;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Providers that keep one session per client (Nomba, WSO2 API Manager): a new token ends the client's earlier
 * ones, so an instance that cannot coordinate with the fleet must not take the session on every rejection.
 */
class SingleSessionRenewalTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final DegradableLock lock = new DegradableLock();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme")
		.withBean(TokenLock.class, () -> this.lock)
		.withPropertyValues("token.providers.acme.sessions=single",
				"token.providers.acme.refresh.failure-cooldown=5s");

	@Test
	void nombaAndWso2KeepOneSessionPerClientAndPlainOAuth2ServersMany() {
		TokenProperties properties = new TokenProperties();
		properties.getProviders().put("nomba", provider(dev.tokenstarter.config.ProviderType.NOMBA));
		properties.getProviders().put("wso2", provider(dev.tokenstarter.config.ProviderType.WSO2));
		properties.getProviders().put("keycloak", provider(dev.tokenstarter.config.ProviderType.OAUTH2));
		TokenProperties.Provider parallel = provider(dev.tokenstarter.config.ProviderType.WSO2);
		parallel.setSessions(dev.tokenstarter.config.SessionPolicy.MULTIPLE);
		properties.getProviders().put("wso2-parallel", parallel);
		TokenSettings settings = new TokenSettings(properties);
		assertThat(settings.provider("nomba").singleSession()).isTrue();
		assertThat(settings.provider("wso2").singleSession()).isTrue();
		assertThat(settings.provider("keycloak").singleSession()).isFalse();
		assertThat(settings.provider("wso2-parallel").singleSession()).isFalse();
	}

	@Test
	void twoEntriesForOneSingleSessionClientFailStartUpNamingTheProperty() {
		this.runner
			.withPropertyValues("token.providers.other.token-uri=" + server.baseUrl() + "/token",
					"token.providers.other.client-id=client-acme", "token.providers.other.client-secret=s",
					"token.providers.other.scopes=reports")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("token.providers.other.client-id")
				.hasMessageContaining("token.providers.acme")
				.hasMessageContaining("single session"));
	}

	@Test
	void withoutCoordinationSessionTakingAuthenticationsBackOffAndCallersFailFastWithAClearError() {
		stubNewTokenPerRequest();
		// Another instance keeps taking the session: the API accepts none of this instance's tokens.
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(401)));
		this.lock.degraded = true;
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			assertCoordinationLost(api);
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			// Until the failure cooldown ends, callers fail at once, without asking anyone.
			assertCoordinationLost(api);
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			this.clock.advance(Duration.ofSeconds(6));
			assertCoordinationLost(api);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			// The second interval is twice the first (7.5 to 10 s): nothing at 6 s after the last authentication.
			this.clock.advance(Duration.ofSeconds(6));
			assertCoordinationLost(api);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			this.clock.advance(Duration.ofSeconds(5));
			assertCoordinationLost(api);
			assertThat(count(server, tokenRequests())).isEqualTo(3);
			ProviderStatus status = context.getBean(TokenManager.class).status("acme");
			assertThat(status.coordinationLost()).isTrue();
			assertThat(status.lastError()).isEqualTo(TokenManager.COORDINATION_LOST);
		});
	}

	@Test
	void withoutCoordinationTheHeldTokenServesUntilItExpiresAndIsThenRenewedWithoutTheBudget() {
		stubNewTokenPerRequest();
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("acme").block(BOUND);
			this.lock.degraded = true;
			// Inside the refresh-ahead window: renewing now would end the session the rest of the fleet may share.
			this.clock.advance(Duration.ofSeconds(250));
			assertThat(tokens.usableToken("acme")).isSameAs(first);
			tokens.renewStaleTokens();
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			this.clock.advance(Duration.ofSeconds(45));
			assertThat(tokens.token("acme").block(BOUND)).isNotSameAs(first);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			assertThat(tokens.status("acme").coordinationLost()).isTrue();
			this.lock.degraded = false;
			assertThat(tokens.status("acme").coordinationLost()).isFalse();
		});
	}

	@Test
	void aProviderKeepingManySessionsIsNotLimitedWhenCoordinationIsLost() {
		stubNewTokenPerRequest();
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(401)));
		this.lock.degraded = true;
		this.runner.withPropertyValues("token.providers.acme.sessions=multiple").run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			int status = api.get().uri(API_PATH).exchange((request, response) -> response.getStatusCode().value());
			assertThat(status).isEqualTo(401);
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void refusalsOfASingleSessionProviderAreCountedByReason() {
		stubNewTokenPerRequest();
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(401)));
		this.lock.degraded = true;
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		this.runner.withConfiguration(AutoConfigurations.of(TokenMetricsAutoConfiguration.class))
			.withBean(MeterRegistry.class, () -> meters)
			.run((context) -> {
				assertCoordinationLost(context.getBean(TokenClients.class).restClient("acme"));
				assertThat(meters.get("token.renewals.failed")
					.tag("provider", "acme")
					.tag("reason", TokenManager.COORDINATION_LOST)
					.counter()
					.count()).isEqualTo(1);
			});
	}

	private static void assertCoordinationLost(RestClient api) {
		assertThatExceptionOfType(TokenAcquisitionException.class)
			.isThrownBy(() -> api.get().uri(API_PATH).retrieve().toBodilessEntity())
			.satisfies((ex) -> {
				assertThat(ex.getErrorCode()).isEqualTo(TokenManager.COORDINATION_LOST);
				assertThat(ex.getMessage()).contains("'acme'", "single-session provider, coordination lost");
			});
	}

	private static void stubNewTokenPerRequest() {
		server.stubFor(clientCredentialsRequest().willReturn(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"access_token\":\"T{{randomValue length=12 type='ALPHANUMERIC'}}\","
					+ "\"token_type\":\"Bearer\",\"expires_in\":300}")
			.withTransformers("response-template")));
	}

	private static TokenProperties.Provider provider(dev.tokenstarter.config.ProviderType type) {
		TokenProperties.Provider provider = new TokenProperties.Provider();
		provider.setType(type);
		return provider;
	}

	/** An in-process lock whose fleet-wide service can be made to stop answering. */
	static final class DegradableLock implements TokenLock {

		private final LocalTokenLock local = new LocalTokenLock();

		volatile boolean degraded;

		@Override
		public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
			return this.local.withLock(key, work);
		}

		@Override
		public boolean isDegraded() {
			return this.degraded;
		}

	}

}
