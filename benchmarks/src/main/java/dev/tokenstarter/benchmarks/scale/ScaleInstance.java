package dev.tokenstarter.benchmarks.scale;

import java.util.Base64;

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
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;

/**
 * One instance of the scaled fleet: a Spring Boot application context of its own with the starter's
 * auto-configuration (Redis store, fleet lock, change messages, engine, scheduler, clients) and its own Redisson
 * client, configured as an application would be. Nothing is trimmed: Redisson's pools are the starter's own
 * (2 threads, 4 Netty threads, one idle connection and one subscription connection), small enough that hundreds
 * of full contexts fit in one JVM. The only addition is an observer that records the instance's lock waits.
 */
final class ScaleInstance implements AutoCloseable {

	static final String PROVIDER = "scale";

	/** A harness-only AES-256 key (32 zero bytes): fleet mode refuses to start without one. */
	private static final String ENCRYPTION_KEY = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);

	private final ConfigurableApplicationContext context;

	private final TokenManager tokenManager;

	private final RestClient restClient;

	private ScaleInstance(ConfigurableApplicationContext context) {
		this.context = context;
		this.tokenManager = context.getBean(TokenManager.class);
		this.restClient = context.getBean(TokenClients.class).restClient(PROVIDER);
	}

	static ScaleInstance start(String redisUrl, ScaleProvider provider, LockWaits lockWaits) {
		return start(redisUrl, provider.baseUrl(), lockWaits);
	}

	/**
	 * Starts an instance against a provider that may run in another JVM.
	 * @param providerUrl the provider's base URL: its token endpoint is {@code /token}, its API {@code /resource}
	 * @param lockWaits where the instance records its lock waits, or null
	 */
	static ScaleInstance start(String redisUrl, String providerUrl, @Nullable LockWaits lockWaits) {
		String prefix = "token.providers." + PROVIDER;
		return new ScaleInstance(new SpringApplicationBuilder(ScaleApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.initializers((context) -> {
				if (lockWaits != null) {
					context.getBeanFactory().registerSingleton("scaleLockWaits", lockWaits);
				}
			})
			.properties(prefix + ".token-uri=" + providerUrl + "/token", prefix + ".client-id=" + ScaleProvider.CLIENT_ID,
					prefix + ".client-secret=" + ScaleProvider.CLIENT_SECRET, prefix + ".base-url=" + providerUrl,
					"spring.data.redis.url=" + redisUrl, "token.store.redis.encryption-keys=" + ENCRYPTION_KEY,
					"logging.level.root=WARN")
			.run());
	}

	/**
	 * Calls the protected API once through {@code TokenClients}, as the application would.
	 * @return the API's status
	 */
	int call() {
		return this.restClient.get().uri("/resource").retrieve().toBodilessEntity().getStatusCode().value();
	}

	/**
	 * The token this instance's near cache holds now, or null.
	 */
	@Nullable String cachedToken() {
		ManagedToken token = this.tokenManager.cachedToken(PROVIDER);
		return (token != null) ? token.accessToken().getTokenValue() : null;
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, TokenRedisAutoConfiguration.class,
			TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class })
	static class ScaleApplication {

		/**
		 * Blocking {@code HttpURLConnection}s with keep-alive, the cheapest transport in CPU per call, so the
		 * shared cores go to what is measured.
		 */
		@Bean
		RestClient.Builder restClientBuilder() {
			return RestClient.builder().requestFactory(new SimpleClientHttpRequestFactory());
		}

	}

}
