package dev.tokenstarter.autoconfigure;

import java.util.Map;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

import dev.tokenstarter.config.RegistrationNames;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.config.TokenProperties;

/**
 * Refuses a {@code token.providers} entry named like a {@code spring.security.oauth2.client.registration} entry.
 * The engine finds its own entry first, so the other would be shadowed wherever a registration is looked up by
 * that name: a login would start with the provider's grant, or a login's tokens be renewed with it. Refuses a
 * {@code spring.security} registration whose name the engine cannot store its tokens under too (see
 * {@link RegistrationNames}).
 */
final class RegistrationNameChecks {

	private static final String SECURITY_REGISTRATIONS = "spring.security.oauth2.client.registration";

	private RegistrationNameChecks() {
	}

	static void refuse(TokenProperties properties, Environment environment) {
		Map<String, Object> security = Binder.get(environment)
			.bind(SECURITY_REGISTRATIONS, Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of());
		for (String name : security.keySet()) {
			if (!RegistrationNames.isValid(name)) {
				throw new TokenConfigurationException(SECURITY_REGISTRATIONS + "." + name, RegistrationNames.RULE);
			}
		}
		for (String name : properties.getProviders().keySet()) {
			if (security.containsKey(name)) {
				throw new TokenConfigurationException(TokenProperties.PREFIX + ".providers." + name,
						"has the name of " + SECURITY_REGISTRATIONS + "." + name
								+ ", which it would shadow wherever a registration is looked up by name (a login "
								+ "would use the provider's grant): rename one of them");
			}
		}
	}

}
