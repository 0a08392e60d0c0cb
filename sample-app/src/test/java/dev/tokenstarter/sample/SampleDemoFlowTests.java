package dev.tokenstarter.sample;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.sample.caller.HelloApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app in its default (demo) profile, calling the demo provider's API through its own
 * {@link TokenClients} with each dialect, and through its {@link HelloApi} HTTP interface for Nomba, over real
 * HTTP. Tokens live 3 s so renewals happen during the test;
 * the app's own callers are off so the counts below come from these calls only.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "demo.caller.enabled=false", "demo.provider.token-lifetime=3s" })
class SampleDemoFlowTests {

	private static final int PROVIDER_PORT = DemoProviderPort.find();

	private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@Autowired
	private TokenClients clients;

	@Autowired
	private TokenManager tokenManager;

	@Autowired
	private HelloApi helloApi;

	private final WebClient provider = WebClient.create("http://127.0.0.1:" + PROVIDER_PORT);

	@DynamicPropertySource
	static void demoProvider(DynamicPropertyRegistry registry) {
		registry.add("demo.provider.port", () -> PROVIDER_PORT);
	}

	@ParameterizedTest
	@ValueSource(strings = { "nomba", "pagstar", "wso2" })
	void callsTheApiAcrossARenewal(String provider) {
		assertThat(callApi(provider)).containsEntry("dialect", provider);
		// Nomba and WSO2 renew with their refresh token; Pagstar has none and is issued a new token.
		String renewal = provider.equals("pagstar") ? "tokensIssued" : "tokensRefreshed";
		long renewed = dialectCounts(provider).get(renewal).longValue();
		long obtained = this.tokenManager.status(provider).tokensObtained();
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			assertThat(callApi(provider)).containsEntry("dialect", provider);
			assertThat(this.tokenManager.status(provider).tokensObtained()).isGreaterThan(obtained);
		});
		assertThat(callApi(provider)).containsEntry("dialect", provider);
		assertThat(dialectCounts(provider).get(renewal).longValue()).isGreaterThan(renewed);
	}

	@ParameterizedTest
	@ValueSource(strings = { "nomba", "pagstar", "wso2" })
	void recoversWhenTheProviderRevokesEveryToken(String provider) {
		callApi(provider);
		long retries = this.tokenManager.status(provider).unauthorizedRetries();
		// A background renewal may replace the token between the revocation and the call, sparing the 401:
		// revoke again until one call meets a revoked token. Every call must succeed all the same.
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
			this.provider.post().uri("/demo/revoke-all").retrieve().toBodilessEntity().block(CALL_TIMEOUT);
			assertThat(callApi(provider)).containsEntry("dialect", provider);
			assertThat(this.tokenManager.status(provider).unauthorizedRetries()).isGreaterThan(retries);
		});
		assertThat(this.tokenManager.status(provider).usable()).isTrue();
	}

	@Test
	void callsNombaThroughItsHttpInterfaceAndRecoversWhenTheProviderRevokesEveryToken() {
		// The demo API refuses a Nomba token without Nomba's accountId header: the group sent it.
		assertThat(this.helloApi.hello().block(CALL_TIMEOUT).getBody()).containsEntry("dialect", "nomba")
			.containsEntry("path", "/api/hello");
		long retries = this.tokenManager.status("nomba").unauthorizedRetries();
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
			this.provider.post().uri("/demo/revoke-all").retrieve().toBodilessEntity().block(CALL_TIMEOUT);
			assertThat(this.helloApi.hello().block(CALL_TIMEOUT).getBody()).containsEntry("dialect", "nomba");
			assertThat(this.tokenManager.status("nomba").unauthorizedRetries()).isGreaterThan(retries);
		});
	}

	private Map<String, Object> callApi(String provider) {
		return this.clients.webClient(provider).get().uri("/api/hello").retrieve().bodyToMono(JSON).block(CALL_TIMEOUT);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Number> dialectCounts(String dialect) {
		Map<String, Object> stats = this.provider.get().uri("/demo/stats").retrieve().bodyToMono(JSON).block(CALL_TIMEOUT);
		return ((Map<String, Map<String, Number>>) stats.get("dialects")).get(dialect);
	}

}
