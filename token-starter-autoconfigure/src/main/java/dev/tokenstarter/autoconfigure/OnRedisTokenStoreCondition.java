package dev.tokenstarter.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The Redis store is used when {@code token.store.type=redis}, or when the type is not set and a Redis
 * connection is configured.
 */
class OnRedisTokenStoreCondition extends SpringBootCondition {

	private static final String[] CONNECTION_PROPERTIES = { "spring.data.redis.url", "spring.data.redis.host",
			"spring.data.redis.port", "spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes" };

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Environment environment = context.getEnvironment();
		String type = environment.getProperty("token.store.type");
		if (type != null) {
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
		return ConditionOutcome.noMatch("no Redis connection configured and token.store.type is not set");
	}

}
