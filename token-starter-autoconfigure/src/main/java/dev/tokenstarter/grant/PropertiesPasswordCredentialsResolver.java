package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.util.Assert;

import dev.tokenstarter.config.TokenSettings;

/**
 * The credentials of {@code token.providers.<name>.username} and {@code .password}, one pair per password-grant
 * provider.
 */
public class PropertiesPasswordCredentialsResolver implements PasswordCredentialsResolver {

	private final TokenSettings settings;

	public PropertiesPasswordCredentialsResolver(TokenSettings settings) {
		Assert.notNull(settings, "settings cannot be null");
		this.settings = settings;
	}

	@Override
	public Mono<PasswordCredentials> resolve(ClientRegistration registration, Authentication principal) {
		String username = this.settings.username(registration.getRegistrationId());
		String password = this.settings.password(registration.getRegistrationId());
		return (username != null && password != null) ? Mono.just(new PasswordCredentials(username, password))
				: Mono.empty();
	}

}
