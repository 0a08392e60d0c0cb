package dev.tokenstarter.autoconfigure;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.observe.MicrometerTokenObserver;
import dev.tokenstarter.observe.TokenKeyMetrics;
import dev.tokenstarter.observe.TokenStoreMetrics;
import dev.tokenstarter.store.RedisAvailability;

/**
 * Micrometer meters for the engine and the Redis store, when the application has a {@link MeterRegistry}.
 */
@AutoConfiguration(after = { TokenRedisAutoConfiguration.class, TokenEngineAutoConfiguration.class },
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, TokenManager.class })
public final class TokenMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MicrometerTokenObserver tokenMetricsObserver(MeterRegistry registry, ObjectProvider<Clock> clock,
			ObjectProvider<TokenManager> tokenManager) {
		return new MicrometerTokenObserver(registry, clock.getIfAvailable(Clock::systemUTC), tokenManager::getObject);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenKeyMetrics tokenKeyMetrics(TokenManager tokenManager) {
		return new TokenKeyMetrics(tokenManager);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(RedisAvailability.class)
	TokenStoreMetrics tokenStoreMetrics(RedisAvailability availability) {
		return new TokenStoreMetrics(availability);
	}

}
