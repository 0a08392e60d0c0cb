package dev.tokenstarter.benchmarks.fleet;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenUsersAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.RefreshSettings;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;

/**
 * One instance of the fleet: a Spring Boot application context of its own (its own engine, near cache,
 * Redisson client and lock), configured as an application would be: the provider under
 * {@code token.providers.*} and {@code spring.data.redis.url}. Every engine timing setting keeps its default.
 */
final class FleetInstance implements AutoCloseable {

	static final String PROVIDER = "fleet";

	/** A harness-only AES-256 key (32 zero bytes): fleet mode refuses to start without one. */
	private static final String ENCRYPTION_KEY = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);

	private final ConfigurableApplicationContext context;

	private final TokenManager tokenManager;

	private FleetInstance(ConfigurableApplicationContext context) {
		this.context = context;
		this.tokenManager = context.getBean(TokenManager.class);
	}

	static FleetInstance start(String redisUrl, String tokenUri, String apiBaseUrl) {
		return start(redisUrl, "token-uri=" + tokenUri, "client-id=fleet-client", "client-secret=fleet-secret",
				"base-url=" + apiBaseUrl);
	}

	/**
	 * Starts an instance whose provider {@value #PROVIDER} has these {@code token.providers.fleet.*} properties.
	 */
	static FleetInstance start(String redisUrl, String... providerProperties) {
		List<String> properties = new ArrayList<>();
		for (String property : providerProperties) {
			properties.add("token.providers." + PROVIDER + "." + property);
		}
		properties.add("spring.data.redis.url=" + redisUrl);
		properties.add("token.store.redis.encryption-keys=" + ENCRYPTION_KEY);
		properties.add("logging.level.root=WARN");
		return new FleetInstance(new SpringApplicationBuilder(FleetApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(properties.toArray(String[]::new))
			.run());
	}

	/**
	 * A bean of this instance's context, such as its {@code UserTokens}.
	 */
	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	/**
	 * A {@code RestClient} from {@code TokenClients}, as the application would get it: base URL and token
	 * interceptor.
	 */
	RestClient restClient() {
		return this.context.getBean(TokenClients.class).restClient(PROVIDER);
	}

	/**
	 * The token this instance's near cache holds now, or null.
	 */
	@Nullable String cachedToken() {
		ManagedToken token = this.tokenManager.cachedToken(PROVIDER);
		return (token != null) ? token.accessToken().getTokenValue() : null;
	}

	/**
	 * The renewal timing in force, to place the refresh windows where the engine places them.
	 */
	RefreshSettings refreshSettings() {
		return this.context.getBean(TokenSettings.class).provider(PROVIDER).refresh();
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, TokenRedisAutoConfiguration.class,
			TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class,
			TokenUsersAutoConfiguration.class })
	static class FleetApplication {

		/**
		 * The application's {@code RestClient.Builder}, which {@code TokenClients} builds on: blocking
		 * {@code HttpURLConnection}s with keep-alive, the cheapest transport in CPU per call (the JDK
		 * {@code HttpClient} hands each call between threads), so the shared cores go to what is measured.
		 */
		@Bean
		RestClient.Builder restClientBuilder() {
			return RestClient.builder().requestFactory(new SimpleClientHttpRequestFactory());
		}

	}

}
