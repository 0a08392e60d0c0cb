package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.engine.TokenRevocationOnShutdown;
import dev.tokenstarter.test.EngineTestSupport;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revoke-on-shutdown in a real servlet application with graceful shutdown: a request still being served while
 * the application stops obtains its token after the first shutdown phases, and that token is revoked too.
 */
class RevocationAfterGracefulShutdownTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@Test
	void tokenObtainedByARequestDrainingAtShutdownIsRevoked() throws Exception {
		provider.stubFor(tokenRequest().willReturn(token("DRAINED", 300)));
		provider.stubFor(post(urlPathEqualTo("/revoke")).willReturn(ok()));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(DrainingApplication.class)
			.properties("server.port=0", "server.shutdown=graceful",
					"spring.lifecycle.timeout-per-shutdown-phase=10s",
					"token.providers.acme.token-uri=" + provider.baseUrl() + "/token",
					"token.providers.acme.revoke-uri=" + provider.baseUrl() + "/revoke",
					"token.providers.acme.revoke-on-shutdown=true", "token.providers.acme.client-id=client-acme",
					"token.providers.acme.client-secret=secret-acme", "token.scheduler.enabled=false")
			.run();
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		DrainingApplication application = context.getBean(DrainingApplication.class);
		CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> RestClient.create()
			.get()
			.uri("http://127.0.0.1:" + port + "/work")
			.retrieve()
			.body(String.class));
		assertThat(application.requestArrived.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(count(provider, tokenRequests())).isZero();

		context.close();

		assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("DRAINED");
		assertThat(count(provider, tokenRequests())).isEqualTo(1);
		assertThat(count(provider, postRequestedFor(urlPathEqualTo("/revoke")).withRequestBody(containing("token=DRAINED"))))
			.isEqualTo(1);
	}

	@Test
	void revocationStopsAfterTheWebServerAndBeforeReactorNettysResources() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DrainingApplication.class)
			.properties("server.port=0", "token.providers.acme.token-uri=" + provider.baseUrl() + "/token",
					"token.providers.acme.client-id=client-acme", "token.providers.acme.client-secret=secret-acme",
					"token.scheduler.enabled=false")
			.run()) {
			int revocation = context.getBean(TokenRevocationOnShutdown.class).getPhase();
			// Lifecycle beans stop from the highest phase down.
			assertThat(revocation).isLessThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
				.isLessThan(context.getBean("webServerStartStop", SmartLifecycle.class).getPhase())
				.isGreaterThan(new ReactorResourceFactory().getPhase());
			context.getBeanProvider(ReactorResourceFactory.class)
				.ifAvailable((resources) -> assertThat(revocation).isGreaterThan(resources.getPhase()));
		}
	}

	/**
	 * A web application whose {@code /work} endpoint is held until shutdown has begun, then obtains a token:
	 * a request that arrived just before the shutdown and is still being served.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class DrainingApplication {

		final CountDownLatch requestArrived = new CountDownLatch(1);

		final CountDownLatch shutdownBegun = new CountDownLatch(1);

		private final TokenManager tokenManager;

		DrainingApplication(TokenManager tokenManager) {
			this.tokenManager = tokenManager;
		}

		@GetMapping("/work")
		String work() throws InterruptedException {
			this.requestArrived.countDown();
			if (!this.shutdownBegun.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The application did not start stopping");
			}
			return this.tokenManager.token("acme").block(Duration.ofSeconds(5)).accessToken().getTokenValue();
		}

		/**
		 * Stops right after the first phase (that of every lifecycle bean left at the default phase) and lets
		 * the held request go on.
		 */
		@Bean
		SmartLifecycle shutdownSignal() {
			return new SmartLifecycle() {

				private volatile boolean running;

				@Override
				public void start() {
					this.running = true;
				}

				@Override
				public void stop() {
					this.running = false;
					DrainingApplication.this.shutdownBegun.countDown();
				}

				@Override
				public boolean isRunning() {
					return this.running;
				}

				@Override
				public int getPhase() {
					return SmartLifecycle.DEFAULT_PHASE - 1;
				}

			};
		}

	}

}
