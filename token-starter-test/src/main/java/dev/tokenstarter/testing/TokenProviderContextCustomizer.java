package dev.tokenstarter.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.util.Assert;

/**
 * Starts a {@link TokenProviderStub} for one application context, before it refreshes: points the configured
 * providers at it through a property source that comes before the application's, registers it as a bean, and stops
 * it when the context's beans are gone (after the application revoked its tokens on shutdown, if it does).
 *
 * <p>Equal for equal annotation attributes: it is part of the context cache key.
 */
final class TokenProviderContextCustomizer implements ContextCustomizer {

	static final String PROPERTY_SOURCE_NAME = "tokenProviderStub";

	static final String BEAN_NAME = "tokenProviderStub";

	private final Set<String> providers;

	private final Duration lifetime;

	TokenProviderContextCustomizer(Set<String> providers, Duration lifetime) {
		Assert.notNull(providers, "providers cannot be null");
		Assert.notNull(lifetime, "lifetime cannot be null");
		Assert.isTrue(!lifetime.isNegative() && !lifetime.isZero(), "tokenLifetime must be positive");
		this.providers = Set.copyOf(providers);
		this.lifetime = lifetime;
	}

	@Override
	public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
		TokenProviderStub stub = new TokenProviderStub(Clock.systemUTC(), this.lifetime);
		stub.start();
		try {
			StubbedProviders stubbed = StubbedProviders.of(context.getEnvironment(), this.providers, stub.url());
			stub.serve(stubbed.providers());
			context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, stubbed.overrides()));
		}
		catch (RuntimeException ex) {
			stub.stop();
			throw ex;
		}
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		Assert.isInstanceOf(DefaultSingletonBeanRegistry.class, beanFactory, "bean factory");
		beanFactory.registerSingleton(BEAN_NAME, stub);
		// Registered before any other bean, so destroyed after all of them: an application that revokes its
		// tokens on shutdown still reaches the stub.
		((DefaultSingletonBeanRegistry) beanFactory).registerDisposableBean(BEAN_NAME + ".server", stub::stop);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof TokenProviderContextCustomizer customizer
				&& this.providers.equals(customizer.providers) && this.lifetime.equals(customizer.lifetime);
	}

	@Override
	public int hashCode() {
		return 31 * this.providers.hashCode() + this.lifetime.hashCode();
	}

}
