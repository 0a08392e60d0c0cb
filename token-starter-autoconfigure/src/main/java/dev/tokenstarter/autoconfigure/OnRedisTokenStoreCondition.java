package dev.tokenstarter.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * The Redis store is used when {@code token.store.type=redis}, or when the type is not set and a Redis
 * connection is configured: by {@code spring.data.redis.*}, or by a {@code DataRedisConnectionDetails} bean of the
 * application's (what a Testcontainers or Docker Compose service connection declares). Spring Boot's own bean of
 * that type, made from the properties whenever Spring Data Redis is present, says nothing by itself. A blank
 * type, as an unset {@code ${TOKEN_STORE_TYPE:}} gives, is no type, as it binds to none.
 *
 * <p>Evaluated when beans are registered, as {@code @ConditionalOnBean} is: a connection declared by a
 * {@code @Bean} method (a service connection's container, or the application's own details) exists only from then.
 */
class OnRedisTokenStoreCondition extends SpringBootCondition implements ConfigurationCondition {

	private static final String[] CONNECTION_PROPERTIES = { "spring.data.redis.url", "spring.data.redis.host",
			"spring.data.redis.port", "spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes",
			"spring.data.redis.masterreplica.nodes" };

	private static final String CONNECTION_DETAILS = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

	private static final String PROPERTIES_CONNECTION_DETAILS = "org.springframework.boot.data.redis.autoconfigure.PropertiesDataRedisConnectionDetails";

	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Environment environment = context.getEnvironment();
		String type = environment.getProperty("token.store.type");
		if (type != null && !type.isBlank()) {
			return "redis".equalsIgnoreCase(type.trim()) ? ConditionOutcome.match("token.store.type is redis")
					: ConditionOutcome.noMatch("token.store.type is " + type);
		}
		Binder binder = Binder.get(environment);
		for (String property : CONNECTION_PROPERTIES) {
			if (binder.bind(property, Bindable.of(Object.class)).isBound()
					|| binder.bind(property, Bindable.listOf(String.class)).isBound()) {
				return ConditionOutcome.match(property + " is set and token.store.type is not");
			}
		}
		String serviceConnection = serviceConnection(context);
		if (serviceConnection != null) {
			return ConditionOutcome.match("connection details bean '" + serviceConnection
					+ "' (a service connection) is defined and token.store.type is not set");
		}
		return ConditionOutcome.noMatch("no Redis connection configured and token.store.type is not set");
	}

	private static @Nullable String serviceConnection(ConditionContext context) {
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		if (beanFactory == null || !ClassUtils.isPresent(CONNECTION_DETAILS, context.getClassLoader())) {
			return null;
		}
		Class<?> type = ClassUtils.resolveClassName(CONNECTION_DETAILS, context.getClassLoader());
		for (String name : beanFactory.getBeanNamesForType(type, true, false)) {
			Class<?> beanType = beanFactory.getType(name, false);
			if (beanType == null || !PROPERTIES_CONNECTION_DETAILS.equals(beanType.getName())) {
				return name;
			}
		}
		return null;
	}

}
