package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.time.Duration;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClientHttpRequestInterceptor;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.client.TokenExchangeFilterFunction;
import dev.tokenstarter.engine.TokenManager;

/**
 * The starter as an application runs it: its auto-configurations in a Spring Boot application, the in-memory
 * store, the provider configured through {@code token.providers.*}, and the token obtained once from a local
 * endpoint before measuring starts, so every measured call finds it fresh in the near cache.
 */
final class StarterEngine implements AutoCloseable {

	private final TokenEndpoint endpoint;

	private final ConfigurableApplicationContext context;

	private StarterEngine(TokenEndpoint endpoint, ConfigurableApplicationContext context) {
		this.endpoint = endpoint;
		this.context = context;
	}

	static StarterEngine start() throws IOException {
		TokenEndpoint endpoint = TokenEndpoint.start(Fixture.TOKEN_VALUE, Fixture.TOKEN_LIFETIME);
		String provider = "token.providers." + Fixture.REGISTRATION_ID;
		ConfigurableApplicationContext context = new SpringApplicationBuilder(EngineApplication.class)
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(provider + ".token-uri=" + endpoint.tokenUri(), provider + ".client-id=bench-client",
					provider + ".client-secret=bench-secret")
			.run();
		context.getBean(TokenManager.class).token(Fixture.REGISTRATION_ID).block(Duration.ofSeconds(30));
		return new StarterEngine(endpoint, context);
	}

	TokenExchangeFilterFunction filter() {
		return this.context.getBean(TokenClients.class).filter(Fixture.REGISTRATION_ID);
	}

	TokenClientHttpRequestInterceptor interceptor() {
		return this.context.getBean(TokenClients.class).interceptor(Fixture.REGISTRATION_ID);
	}

	/**
	 * Stops the application and fails the trial if the token endpoint was asked more than once: a measured call
	 * that reached the provider would not be measuring the hot path.
	 */
	@Override
	public void close() {
		this.context.close();
		this.endpoint.close();
		if (this.endpoint.requests() != 1) {
			throw new IllegalStateException("The token endpoint was asked " + this.endpoint.requests()
					+ " times during the trial; the fresh-token path must never ask it");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class })
	static class EngineApplication {

	}

}
