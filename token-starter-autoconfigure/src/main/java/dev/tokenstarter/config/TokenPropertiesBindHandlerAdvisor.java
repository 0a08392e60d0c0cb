package dev.tokenstarter.config;

import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.Assert;

/**
 * Makes the binding of {@link TokenProperties} fail on keys that bind to nothing and on placeholders nothing
 * resolves, naming each with the closest valid key or the missing placeholder. Other configuration properties
 * are bound as usual.
 */
public final class TokenPropertiesBindHandlerAdvisor implements ConfigurationPropertiesBindHandlerAdvisor {

	private final TokenPropertyNames names = new TokenPropertyNames();

	private final ConfigurableEnvironment environment;

	/**
	 * Creates an advisor resolving placeholders from the given environment, as the binder does.
	 * @param environment the application's environment
	 */
	public TokenPropertiesBindHandlerAdvisor(ConfigurableEnvironment environment) {
		Assert.notNull(environment, "environment cannot be null");
		this.environment = environment;
	}

	@Override
	public BindHandler apply(BindHandler bindHandler) {
		return new TokenPropertiesBindHandler(bindHandler, this.names, this.environment.getPropertySources());
	}

}
