package dev.tokenstarter.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.tokenstarter.config.TokenPropertiesBindHandlerAdvisor;

/**
 * Checks what is written under {@code token.*} when it is bound: a misspelt key or a placeholder nothing
 * resolves fails start-up instead of being ignored or sent to a provider.
 */
@AutoConfiguration
public final class TokenPropertiesAutoConfiguration {

	/**
	 * Static: configuration properties may be bound, and the advisors looked up, before this configuration
	 * class itself is created.
	 */
	@Bean
	@ConditionalOnMissingBean
	static TokenPropertiesBindHandlerAdvisor tokenPropertiesBindHandlerAdvisor(ConfigurableEnvironment environment) {
		return new TokenPropertiesBindHandlerAdvisor(environment);
	}

}
