package dev.tokenstarter.store;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;

/**
 * The keys that sender-constrained (DPoP-bound) tokens are bound to, as the shared store sees them: a token is
 * written with its key's thumbprint, and a token read back is served only once this instance holds that key,
 * since sent with any other key it would be refused.
 */
public interface TokenKeyBindings {

	/** For stores of Bearer tokens only: no token is bound to a key. */
	TokenKeyBindings NONE = new TokenKeyBindings() {

		@Override
		public @Nullable String keyOf(OAuth2AuthorizedClient client) {
			return null;
		}

		@Override
		public boolean isShareable(OAuth2AuthorizedClient client) {
			return true;
		}

		@Override
		public Mono<Boolean> restore(OAuth2AuthorizedClient client, @Nullable String keyThumbprint) {
			return Mono.just(true);
		}

	};

	/**
	 * Returns the key a client's access token is bound to.
	 * @param client the authorized client about to be stored
	 * @return the key's RFC 7638 thumbprint, or null when the token is bound to none
	 */
	@Nullable String keyOf(OAuth2AuthorizedClient client);

	/**
	 * Whether another instance could send a client's access token: a token bound to a key that only this instance
	 * has (made while it could not read the fleet's) is neither written to the shared store nor written back, where
	 * it would replace a token the fleet can send with one it cannot.
	 * @param client the authorized client about to be stored
	 * @return true for a token bound to no key or to one of the fleet's keys
	 */
	boolean isShareable(OAuth2AuthorizedClient client);

	/**
	 * Gets ready to send a stored token: obtains the key it is bound to (from the store when this instance does
	 * not hold it yet).
	 * @param client the authorized client read from the store
	 * @param keyThumbprint the thumbprint stored with it, or null
	 * @return whether the token can be sent from this instance: true for a token bound to no key, false for a
	 * bound token whose key this instance cannot get
	 */
	Mono<Boolean> restore(OAuth2AuthorizedClient client, @Nullable String keyThumbprint);

}
