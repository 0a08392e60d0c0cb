package dev.tokenstarter.store;

import java.time.Duration;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.util.Assert;

/**
 * The blocking face of a reactive authorized-client service, for Spring Security's servlet filters and
 * {@code @ClientRegistrationId} HTTP interfaces. A separate class because one Java class cannot implement both
 * interfaces: their methods share names and parameters but differ in return type.
 *
 * <p>The engine saves through the reactive service, never through this face: what is saved here comes from
 * Spring Security, a login above all, whose tokens replace those of the user's earlier session in the Redis store
 * whatever version it holds (Spring saves without reading first). Each save and removal is told to this
 * instance's engine, which holds tokens in memory and hears only the other instances' change messages: it lets go
 * of the client's token and reads the store at its next use, so a new login always wins over a token it held.
 */
public class BlockingAuthorizedClientService implements OAuth2AuthorizedClientService {

	private final ReactiveOAuth2AuthorizedClientService delegate;

	private final Duration timeout;

	private BiConsumer<String, String> changed = (registrationId, principalName) -> {
	};

	public BlockingAuthorizedClientService(ReactiveOAuth2AuthorizedClientService delegate, Duration timeout) {
		this.delegate = delegate;
		this.timeout = timeout;
	}

	/**
	 * Sets who hears of the clients saved or removed through this face.
	 * @param changed told the registration id and principal name of each client saved or removed
	 */
	public void setChangeListener(BiConsumer<String, String> changed) {
		Assert.notNull(changed, "changed must not be null");
		this.changed = changed;
	}

	@Override
	public <T extends OAuth2AuthorizedClient> @Nullable T loadAuthorizedClient(String clientRegistrationId,
			String principalName) {
		return this.delegate.<T>loadAuthorizedClient(clientRegistrationId, principalName).block(this.timeout);
	}

	@Override
	public void saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
		if (this.delegate instanceof RedisAuthorizedClientService redis) {
			redis.replaceAuthorizedClient(authorizedClient, principal).block(this.timeout);
		}
		else {
			this.delegate.saveAuthorizedClient(authorizedClient, principal).block(this.timeout);
		}
		this.changed.accept(authorizedClient.getClientRegistration().getRegistrationId(), principal.getName());
	}

	@Override
	public void removeAuthorizedClient(String clientRegistrationId, String principalName) {
		this.delegate.removeAuthorizedClient(clientRegistrationId, principalName).block(this.timeout);
		this.changed.accept(clientRegistrationId, principalName);
	}

}
