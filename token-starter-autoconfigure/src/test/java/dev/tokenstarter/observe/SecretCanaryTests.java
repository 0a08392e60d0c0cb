package dev.tokenstarter.observe;

import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A known client secret and known token values go through the engine's scenarios (obtain, 401 retry, forced
 * refresh, eviction, refused and malformed answers) with debug logging on, and appear in no log line, Actuator
 * response or exception message.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,tokens",
				"management.endpoint.tokens.access=unrestricted",
				// The test classpath has Lettuce: without this, the Redis health check would reach for localhost:6379.
				"spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
				"management.endpoint.health.show-details=always", "logging.level.dev.tokenstarter=TRACE",
				"logging.level.org.springframework.web.reactive.function.client=TRACE",
				"logging.level.org.springframework.security=TRACE", "token.scheduler.enabled=false",
				"token.providers.acme.client-id=client-acme", "token.providers.acme.client-secret=" + SecretCanaryTests.SECRET,
				"token.providers.acme.retry.max-attempts=1", "token.providers.acme.refresh.failure-cooldown=0s" })
@ExtendWith(OutputCaptureExtension.class)
class SecretCanaryTests {

	static final String SECRET = "canary-secret-5f1d9e";

	private static final String FIRST = "canary-token-one-8c2a";

	private static final String SECOND = "canary-token-two-3b7e";

	private static final String REFRESH = "canary-refresh-6d0f";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	@DynamicPropertySource
	static void provider(DynamicPropertyRegistry registry) {
		registry.add("token.providers.acme.token-uri", () -> server.baseUrl() + TokenStubs.TOKEN_PATH);
		registry.add("token.providers.acme.base-url", server::baseUrl);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private TokenClients clients;

	@Autowired
	private TokenManager tokenManager;

	@Test
	void canariesAppearInNoLogResponseOrException(CapturedOutput output) {
		List<String> seen = new ArrayList<>();
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, TokenStubs.tokenWithRefresh(FIRST, 300, REFRESH),
				token(SECOND, 300), token(SECOND + "-x", 300));
		server.stubFor(apiWith(FIRST).willReturn(aResponse().withStatus(401)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"code\":\"900901\",\"message\":\"Invalid Credentials\"}")));
		server.stubFor(apiWith(SECOND).willReturn(ok("hello")));
		WebClient api = this.clients.webClient("acme");
		assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("hello");

		seen.add(actuator("GET", "/actuator/tokens"));
		seen.add(actuator("GET", "/actuator/tokens/acme"));
		seen.add(actuator("GET", "/actuator/health"));
		seen.add(actuator("POST", "/actuator/tokens/acme"));
		seen.add(actuator("DELETE", "/actuator/tokens/acme"));
		seen.add(this.tokenManager.toString());

		server.resetAll();
		server.stubFor(tokenRequest().willReturn(error(401, "invalid_client")));
		seen.add(failureMessage());
		server.stubFor(tokenRequest().willReturn(json("{\"access_token\":\"" + FIRST + "\",\"expires_in\":-1}")));
		seen.add(failureMessage());
		server.stubFor(tokenRequest().willReturn(aResponse().withStatus(500).withBody("<html>" + SECRET + "</html>")));
		seen.add(failureMessage());
		// Some providers repeat the secret they refuse in their error description.
		server.stubFor(tokenRequest().willReturn(json("{\"error\":\"invalid_client\",\"error_description\":"
				+ "\"client secret " + SECRET + " is not valid\"}").withStatus(401)));
		String echoed = failureMessage();
		assertThat(echoed).contains("invalid_client", "client secret ****** is not valid");
		seen.add(echoed);

		assertThat(seen.get(0)).contains("\"acme\"", "\"tokensObtained\"", "\"store\":\"memory\"");
		assertThat(seen.get(2)).contains("\"tokens\"");
		assertThat(seen.get(3)).as("forced refresh").contains("\"tokensObtained\":3", "\"usable\":true");
		assertThat(seen.get(4)).as("eviction").contains("\"usable\":false");
		for (String text : seen) {
			assertThat(text).doesNotContain(SECRET, FIRST, SECOND, REFRESH);
		}
		assertThat(output.getAll()).contains("Token of provider 'acme' obtained")
			.doesNotContain(SECRET, FIRST, SECOND, REFRESH);
	}

	private String failureMessage() {
		try {
			this.tokenManager.token("acme").block();
			return "no failure";
		}
		catch (RuntimeException ex) {
			StringBuilder messages = new StringBuilder();
			for (Throwable t = ex; t != null; t = t.getCause()) {
				messages.append(t).append('\n');
			}
			return messages.toString();
		}
	}

	private String actuator(String method, String path) {
		try {
			ResponseEntity<String> response = RestClient.create("http://localhost:" + this.port)
				.method(org.springframework.http.HttpMethod.valueOf(method))
				.uri(path)
				.retrieve()
				.toEntity(String.class);
			return String.valueOf(response.getBody());
		}
		catch (RestClientResponseException ex) {
			return ex.getStatusCode() + " " + ex.getResponseBodyAsString();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class CanaryApplication {

	}

}
