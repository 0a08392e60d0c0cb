package dev.tokenstarter.store;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.util.Assert;

/**
 * A store that is not the fleet's (the in-memory one, or one the application supplies) as the engine reads it: a
 * token bound to a key is served only when this instance has that key. A store that outlives the instance (JDBC,
 * say) hands back DPoP-bound tokens after a restart, whose key was kept in memory and is gone; sent, such a token
 * cannot carry a valid proof, and every call with it would fail until it expired. Read back without its key, it is
 * a miss: the engine obtains a token bound to a key it has. The fleet's Redis store checks keys itself.
 */
public final class KeyCheckingAuthorizedClientService implements ReactiveOAuth2AuthorizedClientService {

	private final ReactiveOAuth2AuthorizedClientService delegate;

	private final TokenKeyBindings bindings;

	/**
	 * Creates the engine's view of a store.
	 * @param delegate the store
	 * @param bindings the keys tokens are bound to
	 */
	public KeyCheckingAuthorizedClientService(ReactiveOAuth2AuthorizedClientService delegate,
			TokenKeyBindings bindings) {
		Assert.notNull(delegate, "delegate cannot be null");
		Assert.notNull(bindings, "bindings cannot be null");
		this.delegate = delegate;
		this.bindings = bindings;
	}

	@Override
	public <T extends OAuth2AuthorizedClient> Mono<T> loadAuthorizedClient(String clientRegistrationId,
			String principalName) {
		return this.delegate.<T>loadAuthorizedClient(clientRegistrationId, principalName)
			.filterWhen((client) -> this.bindings.restore(client, this.bindings.keyOf(client)));
	}

	@Override
	public Mono<Void> saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
		return this.delegate.saveAuthorizedClient(authorizedClient, principal);
	}

	@Override
	public Mono<Void> removeAuthorizedClient(String clientRegistrationId, String principalName) {
		return this.delegate.removeAuthorizedClient(clientRegistrationId, principalName);
	}

}
