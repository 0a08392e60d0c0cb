package dev.tokenstarter.grant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.util.Assert;

import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.store.TokenKeyBindings;

/**
 * The stores' view of DPoP-bound tokens: in the shared store each is written with the thumbprint of the key it is
 * bound to, and read back only when this instance can get that key. A DPoP token stored without a thumbprint, or
 * read from another store with a key this instance no longer knows, is bound to a key nobody here can name, so it
 * is never sent: the engine renews it.
 */
public final class DpopTokenBindings implements TokenKeyBindings {

	private static final Log logger = LogFactory.getLog(DpopTokenBindings.class);

	private final DpopKeys keys;

	public DpopTokenBindings(DpopKeys keys) {
		Assert.notNull(keys, "keys cannot be null");
		this.keys = keys;
	}

	@Override
	public @Nullable String keyOf(OAuth2AuthorizedClient client) {
		return isDpop(client) ? this.keys.thumbprintOf(client.getAccessToken()) : null;
	}

	/**
	 * A DPoP token is shareable when it is bound to one of the fleet's keys: not to a key of this instance's own,
	 * nor to a key this instance does not know, which no instance could name.
	 */
	@Override
	public boolean isShareable(OAuth2AuthorizedClient client) {
		if (!isDpop(client)) {
			return true;
		}
		String thumbprint = this.keys.thumbprintOf(client.getAccessToken());
		return thumbprint != null && this.keys.isShared(thumbprint);
	}

	@Override
	public Mono<Boolean> restore(OAuth2AuthorizedClient client, @Nullable String keyThumbprint) {
		if (!isDpop(client)) {
			return Mono.just(true);
		}
		if (keyThumbprint == null) {
			logger.info("A stored token of provider '" + client.getClientRegistration().getRegistrationId()
					+ "' is bound to a DPoP key this instance cannot name (a key kept in memory does not survive a "
					+ "restart): the token is not used");
			return Mono.just(false);
		}
		return this.keys.restore(client.getClientRegistration().getRegistrationId(), client.getAccessToken(),
				keyThumbprint);
	}

	private static boolean isDpop(OAuth2AuthorizedClient client) {
		return OAuth2AccessToken.TokenType.DPOP.equals(client.getAccessToken().getTokenType());
	}

}
