package dev.tokenstarter.grant;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

import dev.tokenstarter.config.TokenProperties;

/**
 * The credentials of {@code token.providers.<name>.username} and {@code .password}, one pair per provider.
 */
public class PropertiesPasswordCredentialsResolver implements PasswordCredentialsResolver {

	private final Map<String, PasswordCredentials> credentials = new LinkedHashMap<>();

	public PropertiesPasswordCredentialsResolver(TokenProperties properties) {
		properties.getProviders().forEach((name, provider) -> {
			if (provider.getUsername() != null && provider.getPassword() != null) {
				this.credentials.put(name, new PasswordCredentials(provider.getUsername(), provider.getPassword()));
			}
		});
	}

	@Override
	public Mono<PasswordCredentials> resolve(ClientRegistration registration, Authentication principal) {
		return Mono.justOrEmpty(this.credentials.get(registration.getRegistrationId()));
	}

}
