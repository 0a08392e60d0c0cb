package dev.tokenstarter.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;

/**
 * The blocking face of a reactive authorized-client service, for Spring Security's servlet filters and
 * {@code @ClientRegistrationId} HTTP interfaces. A separate class because one Java class cannot implement both
 * interfaces: their methods share names and parameters but differ in return type.
 */
public class BlockingAuthorizedClientService implements OAuth2AuthorizedClientService {

	private final ReactiveOAuth2AuthorizedClientService delegate;

	private final Duration timeout;

	public BlockingAuthorizedClientService(ReactiveOAuth2AuthorizedClientService delegate, Duration timeout) {
		this.delegate = delegate;
		this.timeout = timeout;
	}

	@Override
	public <T extends OAuth2AuthorizedClient> @Nullable T loadAuthorizedClient(String clientRegistrationId,
			String principalName) {
		return this.delegate.<T>loadAuthorizedClient(clientRegistrationId, principalName).block(this.timeout);
	}

	@Override
	public void saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
		this.delegate.saveAuthorizedClient(authorizedClient, principal).block(this.timeout);
	}

	@Override
	public void removeAuthorizedClient(String clientRegistrationId, String principalName) {
		this.delegate.removeAuthorizedClient(clientRegistrationId, principalName).block(this.timeout);
	}

}
