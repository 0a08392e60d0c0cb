package dev.tokenstarter.engine;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;

/**
 * What the shared store tells the engine about other instances' tokens, so that this instance serves them without
 * reading the store.
 */
public interface StoredTokenListener {

	/**
	 * Takes a token another instance obtained. Ignored unless a key held here is stored under its registration
	 * and principal, it expires no earlier than the held one, can be sent and was not revoked here.
	 * @param client the other instance's authorized client
	 */
	void accept(OAuth2AuthorizedClient client);

	/**
	 * Drops the token held for a registration and principal because another instance removed it from the store
	 * (revoked it, or ended its session), and treats it from then on as a token revoked here: neither read again
	 * nor renewed from. The next call reads the store again.
	 * @param registrationId the provider's name
	 * @param principalName the name the token was stored under
	 */
	void forget(String registrationId, String principalName);

}
