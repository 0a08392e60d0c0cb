package dev.tokenstarter.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status page and every URL it reads or posts to, over HTTP, with the app running as {@code spring-boot:run}
 * starts it: demo profile by default, callers on.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleStatusPageTests {

	private static final int PROVIDER_PORT = DemoProviderPort.find();

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	private int port;

	private WebClient app;

	@DynamicPropertySource
	static void demoProvider(DynamicPropertyRegistry registry) {
		registry.add("demo.provider.port", () -> PROVIDER_PORT);
	}

	@BeforeEach
	void connect() {
		this.app = WebClient.create("http://localhost:" + this.port);
	}

	@Test
	void servesThePageAndItsScript() {
		ResponseEntity<String> page = get("/");
		assertThat(page.getHeaders().getContentType()).isNotNull()
			.satisfies((type) -> assertThat(type.isCompatibleWith(MediaType.TEXT_HTML)).isTrue());
		assertThat(page.getBody()).contains("<script src=\"status.js\">");
		assertThat(get("/status.js").getBody()).contains("actuator/tokens");
	}

	@Test
	void tokensEndpointListsTheThreeProvidersOnceTheCallersUseThem() {
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Map<String, Map<String, Object>> providers = providers();
			assertThat(providers).containsOnlyKeys("nomba", "pagstar", "wso2");
			providers.values().forEach((status) -> {
				assertThat(status).containsEntry("usable", true);
				assertThat(((Number) status.get("tokensObtained")).longValue()).isPositive();
			});
		});
		assertThat(json("/actuator/tokens")).containsEntry("store", "memory");
	}

	@Test
	void postingToAProviderRenewsItsToken() {
		await().atMost(TIMEOUT).until(() -> obtained("wso2") > 0);
		long before = obtained("wso2");
		Map<String, Object> status = this.app.post().uri("/actuator/tokens/wso2").retrieve().bodyToMono(JSON).block(TIMEOUT);
		assertThat(status).containsEntry("provider", "wso2").containsEntry("usable", true);
		assertThat(((Number) status.get("tokensObtained")).longValue()).isGreaterThan(before);
	}

	@Test
	void demoControlsReachTheProviderAndItsCountsShowTheCalls() {
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(apiCalls("nomba")).isPositive());
		Map<String, Object> failing = post("/demo/fail");
		assertThat(failing).containsEntry("mode", "failing");
		assertThat(post("/demo/recover")).containsEntry("mode", "normal");
		assertThat(post("/demo/revoke-all")).containsKey("dialects");
		this.app.post().uri("/demo/unknown").exchangeToMono((response) -> {
			assertThat(response.statusCode().value()).isEqualTo(404);
			return response.releaseBody();
		}).block(TIMEOUT);
	}

	@Test
	void eventsAndHealthDescribeTheProviders() {
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(json("/status/events")).containsKeys("nomba", "pagstar", "wso2"));
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> events = (List<Map<String, Object>>) json("/status/events").get("nomba");
		assertThat(events).extracting((event) -> event.get("kind")).contains("obtained");
		@SuppressWarnings("unchecked")
		Map<String, Object> health = json("/actuator/health");
		Map<String, Object> tokensHealth = (Map<String, Object>) ((Map<String, Object>) health.get("components"))
			.get("tokens");
		assertThat(tokensHealth).containsEntry("status", "UP");
		// The starter brings no Redis client of its own, so nothing checks a Redis the demo does not use.
		assertThat((Map<String, Object>) health.get("components")).doesNotContainKey("redis");
		assertThat(health).containsEntry("status", "UP");
	}

	private ResponseEntity<String> get(String path) {
		return this.app.get().uri(path).retrieve().toEntity(String.class).block(TIMEOUT);
	}

	private Map<String, Object> json(String path) {
		return this.app.get().uri(path).retrieve().bodyToMono(JSON).block(TIMEOUT);
	}

	private Map<String, Object> post(String path) {
		return this.app.post().uri(path).retrieve().bodyToMono(JSON).block(TIMEOUT);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Map<String, Object>> providers() {
		return (Map<String, Map<String, Object>>) json("/actuator/tokens").get("providers");
	}

	private long obtained(String provider) {
		return ((Number) providers().get(provider).get("tokensObtained")).longValue();
	}

	@SuppressWarnings("unchecked")
	private long apiCalls(String dialect) {
		Map<String, Map<String, Number>> dialects = (Map<String, Map<String, Number>>) json("/demo/stats").get("dialects");
		return dialects.containsKey(dialect) ? dialects.get(dialect).get("apiCalls").longValue() : 0;
	}

}
