package dev.tokenstarter.autoconfigure;

import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

import dev.tokenstarter.config.TokenConfigurationException;

/**
 * Stops the start-up when the Redis store is asked for (or implied by a Redis connection) but the libraries of
 * fleet mode are not on the class path: each instance would otherwise keep its own tokens in memory without a
 * word, and the fleet would authenticate once per instance.
 */
@AutoConfiguration(before = TokenEngineAutoConfiguration.class)
@Conditional({ OnRedisTokenStoreCondition.class, TokenRedisRequirementsAutoConfiguration.FleetLibraryMissing.class })
public final class TokenRedisRequirementsAutoConfiguration {

	private static final String REQUIREMENTS_BEAN = "tokenRedisStoreRequirements";

	/**
	 * Keeps the check eager under {@code spring.main.lazy-initialization}: nothing depends on its bean, which would
	 * then never be created, and the instance would start on its memory store.
	 */
	@Bean
	static LazyInitializationExcludeFilter tokenRedisStoreRequirementsEagerly() {
		return (beanName, definition, type) -> REQUIREMENTS_BEAN.equals(beanName);
	}

	@Bean(REQUIREMENTS_BEAN)
	Object tokenRedisStoreRequirements() {
		throw new TokenConfigurationException("token.store.type",
				"selects the Redis store (token.store.type=redis, or a spring.data.redis.* connection without "
						+ "token.store.type), but fleet mode's libraries are missing: depend on token-starter-redis "
						+ "(which brings org.redisson:redisson) instead of token-starter, add spring-boot-starter-data-redis "
						+ "(or spring-boot-data-redis without Lettuce), or set token.store.type=memory");
	}

	static final class FleetLibraryMissing extends AnyNestedCondition {

		FleetLibraryMissing() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnMissingClass("org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
		static final class SpringBootRedisMissing {

		}

		@ConditionalOnMissingClass("org.redisson.api.RedissonClient")
		static final class RedissonMissing {

		}

	}

}
