package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.Base64;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.client.TokenClientHttpRequestInterceptor;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.client.TokenExchangeFilterFunction;
import dev.tokenstarter.engine.TokenManager;

/**
 * The starter as an application runs it: its auto-configurations in a Spring Boot application, the in-memory
 * store or the Redis store (fleet mode), the provider configured through {@code token.providers.*}, and the
 * token obtained once from a local endpoint before measuring starts, so every measured call finds it fresh in
 * the near cache.
 */
final class StarterEngine implements AutoCloseable {

	/** A benchmark-only AES-256 key (32 zero bytes): fleet mode refuses to start without one. */
	static final String ENCRYPTION_KEY = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);

	private final TokenEndpoint endpoint;

	private final ConfigurableApplicationContext context;

	private StarterEngine(TokenEndpoint endpoint, ConfigurableApplicationContext context) {
		this.endpoint = endpoint;
		this.context = context;
	}

	static StarterEngine start() throws IOException {
		return start(EngineApplication.class);
	}

	/**
	 * Starts the starter on the memory store with more properties.
	 */
	static StarterEngine start(String... properties) throws IOException {
		return start(EngineApplication.class, properties);
	}

	/**
	 * Starts the starter in fleet mode on {@code redis}: the Redis store, the fleet lock and the change
	 * messages, as {@code spring.data.redis.url} turns them on in an application.
	 */
	static StarterEngine startOnRedis(RedisProcess redis) throws IOException {
		return start(FleetEngineApplication.class, "spring.data.redis.url=" + redis.url(),
				"token.store.redis.encryption-keys=" + ENCRYPTION_KEY);
	}

	/**
	 * Starts the starter on the memory store with DPoP on: the provider's token is DPoP-bound and every call
	 * signs a proof.
	 */
	static StarterEngine startWithDpop() throws IOException {
		return start(EngineApplication.class, TokenEndpoint.start(Fixture.TOKEN_VALUE, Fixture.TOKEN_LIFETIME, "DPoP"),
				"token.providers." + Fixture.REGISTRATION_ID + ".dpop.enabled=true");
	}

	private static StarterEngine start(Class<?> application, String... properties) throws IOException {
		return start(application, TokenEndpoint.start(Fixture.TOKEN_VALUE, Fixture.TOKEN_LIFETIME), properties);
	}

	private static StarterEngine start(Class<?> application, TokenEndpoint endpoint, String... properties) {
		String provider = "token.providers." + Fixture.REGISTRATION_ID;
		ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(provider + ".token-uri=" + endpoint.tokenUri(), provider + ".client-id=bench-client",
					provider + ".client-secret=bench-secret")
			.properties(properties)
			.run();
		context.getBean(TokenManager.class).token(Fixture.REGISTRATION_ID).block(Duration.ofSeconds(30));
		if (context.getBean(MeterRegistry.class).find("token.lookups").counter() == null) {
			throw new IllegalStateException("The starter does not count look-ups: the trial would not measure it");
		}
		return new StarterEngine(endpoint, context);
	}

	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
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

	/**
	 * A meter registry, as an application with Actuator has: the starter counts every look-up
	 * ({@code token.lookups}), and that count is part of what a call costs.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Metrics {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(Metrics.class)
	@ImportAutoConfiguration({ TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class,
			TokenMetricsAutoConfiguration.class })
	static class EngineApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@Import(Metrics.class)
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, TokenRedisAutoConfiguration.class,
			TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class,
			TokenMetricsAutoConfiguration.class })
	static class FleetEngineApplication {

	}

}
