package dev.tokenstarter.test;

import java.time.Clock;

import com.github.tomakehurst.wiremock.extension.Extension;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * The engine wired by its auto-configuration against a WireMock provider, with a clock the test moves.
 */
public final class EngineTestSupport {

	private EngineTestSupport() {
	}

	public static WireMockExtension provider(Extension... extensions) {
		return WireMockExtension.newInstance()
			.options(wireMockConfig().dynamicPort().containerThreads(256).extensions(extensions))
			.build();
	}

	public static ApplicationContextRunner runner(WireMockExtension server, Clock clock, String provider) {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, () -> clock)
			.withPropertyValues(TokenStubs.providerProperties(server, provider));
	}

	/**
	 * A WebClient for the provider's API whose connection pool takes every concurrent caller of a test at once.
	 */
	public static WebClient apiClient(WireMockExtension server, TokenClients clients, String provider) {
		ConnectionProvider pool = ConnectionProvider.builder("api-test").maxConnections(512)
			.pendingAcquireMaxCount(-1)
			.build();
		return WebClient.builder()
			.baseUrl(server.baseUrl())
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
			.filter(clients.filter(provider))
			.build();
	}

}
