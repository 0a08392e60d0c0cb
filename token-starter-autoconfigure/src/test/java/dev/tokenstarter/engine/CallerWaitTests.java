package dev.tokenstarter.engine;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A caller waits for a renewal at most {@code refresh.max-caller-wait}: a provider that accepts connections and
 * answers late holds no request thread for the whole retry budget, and the token it finally sends serves later
 * callers without another request.
 */
class CallerWaitTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final ApplicationContextRunner runner = EngineTestSupport
		.runner(server, MutableClock.startingNow(), "acme")
		.withPropertyValues("token.providers.acme.refresh.max-caller-wait=300ms",
				"token.providers.acme.retry.request-timeout=20s", "token.providers.acme.retry.timeout=30s");

	@Test
	void callersGiveUpAfterMaxCallerWaitWhileTheTokenRequestGoesOnForLaterCallers() {
		server.stubFor(clientCredentialsRequest().willReturn(token("SLOW", 300).withFixedDelay(4000)));
		server.stubFor(apiWith("SLOW").willReturn(ok("hello")));
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			WebClient webClient = EngineTestSupport.apiClient(server, clients, "acme");
			RestClient restClient = clients.restClient("acme");
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> webClient.get().uri(API_PATH).retrieve().bodyToMono(String.class).block())
				.satisfies((ex) -> {
					assertThat(ex.getProvider()).isEqualTo("acme");
					assertThat(ex.getErrorCode()).isEqualTo("timeout");
					assertThat(ex.getMessage()).contains("timed out waiting for a token", "max-caller-wait");
				});
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> restClient.get().uri(API_PATH).retrieve().body(String.class))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("timeout"));
			// Both gave up while the provider was still answering.
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.cachedToken("acme")).isNull();
			await().atMost(Duration.ofSeconds(10)).until(() -> tokens.cachedToken("acme") != null);
			assertThat(restClient.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("hello");
			assertThat(webClient.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void maxCallerWaitMustBePositive() {
		this.runner.withPropertyValues("token.providers.acme.refresh.max-caller-wait=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("token.providers.acme.refresh.max-caller-wait"));
	}

}
