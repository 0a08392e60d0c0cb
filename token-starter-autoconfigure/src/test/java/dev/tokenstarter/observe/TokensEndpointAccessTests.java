package dev.tokenstarter.observe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.TokenStubs;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code tokens} endpoint and health component as a servlet application without Spring Security serves
 * them on a real port: reads are open once exposed, renewals and evictions only when the application allows
 * them, and a failing provider never fails the liveness or readiness probe unless the application asks for it.
 */
class TokensEndpointAccessTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private static final HttpClient http = HttpClient.newHttpClient();

	@Test
	void exposedEndpointIsReadOnlyByDefault() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		run((app) -> {
			app.tokens().token("acme").block();

			assertThat(app.call("GET", "/actuator/tokens").statusCode()).isEqualTo(200);
			HttpResponse<String> provider = app.call("GET", "/actuator/tokens/acme");
			assertThat(provider.statusCode()).isEqualTo(200);
			assertThat(provider.body()).contains("\"usable\":true");

			assertThat(app.call("POST", "/actuator/tokens/acme").statusCode()).isEqualTo(405);
			assertThat(app.call("DELETE", "/actuator/tokens/acme").statusCode()).isEqualTo(405);
			assertThat(app.call("POST", "/actuator/tokens/acme/dpop-key").statusCode()).isEqualTo(404);
			assertThat(count(server, tokenRequests())).as("no renewal was forced").isEqualTo(1);
			assertThat(app.tokens().cachedToken("acme")).as("nothing was evicted").isNotNull();
		});
	}

	@Test
	void unrestrictedAccessAllowsRenewalAndEviction() {
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300));
		run((app) -> {
			app.tokens().token("acme").block();

			HttpResponse<String> refreshed = app.call("POST", "/actuator/tokens/acme");
			assertThat(refreshed.statusCode()).isEqualTo(200);
			assertThat(refreshed.body()).contains("\"tokensObtained\":2");
			assertThat(count(server, tokenRequests())).isEqualTo(2);

			// acme's tokens are Bearer tokens: there is no DPoP key to rotate, and no token request is made.
			assertThat(app.call("POST", "/actuator/tokens/acme/dpop-key").statusCode()).isEqualTo(400);
			assertThat(count(server, tokenRequests())).isEqualTo(2);

			HttpResponse<String> evicted = app.call("DELETE", "/actuator/tokens/acme");
			assertThat(evicted.statusCode()).isEqualTo(200);
			assertThat(evicted.body()).contains("\"usable\":false");
			assertThat(app.tokens().cachedToken("acme")).isNull();
		}, "management.endpoint.tokens.access=unrestricted");
	}

	@Test
	void wrongSecretTakesTokensHealthDownButNeitherProbe() {
		server.stubFor(tokenRequest().willReturn(error(401, "invalid_client")));
		run((app) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> app.tokens().token("acme").block());

			assertThat(app.tokensHealth()).isEqualTo(Status.DOWN);
			assertThat(app.call("GET", "/actuator/health").statusCode()).isEqualTo(503);
			assertThat(app.call("GET", "/actuator/health/liveness").statusCode()).isEqualTo(200);
			assertThat(app.call("GET", "/actuator/health/readiness").statusCode()).isEqualTo(200);
		}, "management.endpoint.health.probes.enabled=true");
	}

	@Test
	void readinessFollowsTokensHealthOnlyWhenIncludedDeliberately() {
		server.stubFor(tokenRequest().willReturn(error(401, "invalid_client")));
		run((app) -> {
			assertThat(app.call("GET", "/actuator/health/readiness").statusCode())
				.as("no token request has failed yet")
				.isEqualTo(200);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> app.tokens().token("acme").block());

			assertThat(app.call("GET", "/actuator/health/readiness").statusCode()).isEqualTo(503);
			assertThat(app.call("GET", "/actuator/health/liveness").statusCode()).isEqualTo(200);
		}, "management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,tokens");
	}

	private static void run(Consumer<RunningApplication> test, String... properties) {
		List<String> all = new ArrayList<>(List.of(TokenStubs.providerProperties(server, "acme")));
		all.add("server.port=0");
		all.add("management.endpoints.web.exposure.include=health,tokens");
		// The test classpath has Lettuce: without this, the Redis health check would reach for localhost:6379.
		all.add("spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration");
		all.addAll(List.of(properties));
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ActuatorApplication.class)
			.properties(all.toArray(String[]::new))
			.run()) {
			test.accept(new RunningApplication(context));
		}
	}

	private record RunningApplication(ConfigurableApplicationContext context) {

		TokenManager tokens() {
			return this.context.getBean(TokenManager.class);
		}

		Status tokensHealth() {
			return this.context.getBean("tokensHealthIndicator", HealthIndicator.class).health().getStatus();
		}

		HttpResponse<String> call(String method, String path) {
			int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.method(method, HttpRequest.BodyPublishers.noBody())
				.build();
			try {
				return http.send(request, HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException ex) {
				throw new IllegalStateException(method + " " + path + " failed", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(method + " " + path + " interrupted", ex);
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ActuatorApplication {

	}

}
