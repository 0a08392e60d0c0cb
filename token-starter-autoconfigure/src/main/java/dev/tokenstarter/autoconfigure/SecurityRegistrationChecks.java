package dev.tokenstarter.autoconfigure;

import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

import dev.tokenstarter.config.ClientAuthentication;
import dev.tokenstarter.config.RegistrationNames;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.config.TokenProperties;

/**
 * Checks at start-up the {@code spring.security.oauth2.client.registration} entries the engine serves beside its
 * own providers, as it checks its own: a name the engine cannot store tokens under (see {@link RegistrationNames}),
 * a name a {@code token.providers} entry also has (the engine finds its own entry first, so the other would be
 * shadowed wherever a registration is looked up by name: a login would start with the provider's grant, or its
 * tokens be renewed with it), and a client secret too short to sign a {@code client_secret_jwt} assertion with,
 * which would otherwise fail every token request of the registration.
 */
final class SecurityRegistrationChecks {

	private static final Log logger = LogFactory.getLog(SecurityRegistrationChecks.class);

	private static final String SECURITY_REGISTRATIONS = "spring.security.oauth2.client.registration";

	private static final Set<String> MUTUAL_TLS_METHODS = Set.of("tls_client_auth", "self_signed_tls_client_auth");

	private SecurityRegistrationChecks() {
	}

	static void refuse(TokenProperties properties, Environment environment) {
		Binder binder = Binder.get(environment);
		Map<String, Object> security = binder.bind(SECURITY_REGISTRATIONS, Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of());
		for (String name : security.keySet()) {
			if (!RegistrationNames.isValid(name)) {
				throw new TokenConfigurationException(SECURITY_REGISTRATIONS + "." + name, RegistrationNames.RULE);
			}
		}
		// Bound apart from the names: a registration without either property binds to no entry here.
		binder.bind(SECURITY_REGISTRATIONS, Bindable.mapOf(String.class, SecurityRegistration.class))
			.orElse(Map.of())
			.forEach((name, registration) -> {
				String method = registration.getClientAuthenticationMethod();
				if (method != null && MUTUAL_TLS_METHODS.contains(method)) {
					// A warning, not a failure: the JDK's client may present the JVM's own key store, or a mesh the
					// certificate; otherwise every token request names the client alone, and fails.
					logger.warn(SECURITY_REGISTRATIONS + "." + name + ".client-authentication-method is " + method
							+ ", but a spring.security registration cannot name the client certificate the starter's "
							+ "token requests would present: declare the provider under token.providers, with an "
							+ "ssl-bundle");
				}
				if (ClientAuthenticationMethod.CLIENT_SECRET_JWT.getValue()
					.equals(registration.getClientAuthenticationMethod())
						&& ClientAuthentication.isTooShortForClientSecretJwt(registration.getClientSecret())) {
					throw new TokenConfigurationException(SECURITY_REGISTRATIONS + "." + name + ".client-secret",
							"is too short for client-authentication-method client_secret_jwt: "
									+ ClientAuthentication.CLIENT_SECRET_JWT_LENGTH);
				}
			});
		for (String name : properties.getProviders().keySet()) {
			if (security.containsKey(name)) {
				throw new TokenConfigurationException(TokenProperties.PREFIX + ".providers." + name,
						"has the name of " + SECURITY_REGISTRATIONS + "." + name
								+ ", which it would shadow wherever a registration is looked up by name (a login "
								+ "would use the provider's grant): rename one of them");
			}
		}
	}

	/**
	 * What the checks read of a registration; its other properties are Spring Boot's to bind.
	 */
	public static final class SecurityRegistration {

		private @Nullable String clientAuthenticationMethod;

		private @Nullable String clientSecret;

		public @Nullable String getClientAuthenticationMethod() {
			return this.clientAuthenticationMethod;
		}

		public void setClientAuthenticationMethod(@Nullable String clientAuthenticationMethod) {
			this.clientAuthenticationMethod = clientAuthenticationMethod;
		}

		public @Nullable String getClientSecret() {
			return this.clientSecret;
		}

		public void setClientSecret(@Nullable String clientSecret) {
			this.clientSecret = clientSecret;
		}

	}

}
