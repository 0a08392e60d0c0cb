package dev.tokenstarter.config;

import org.jspecify.annotations.Nullable;

/**
 * The actor of a token exchange (RFC 8693 delegation): the party that acts for the subject, proved by a token of
 * its own sent as "actor_token", so that the exchanged token names both (its "act" claim) instead of impersonating
 * the subject. Only for grant-type token-exchange; not inherited from token.defaults: an actor belongs to one
 * provider.
 */
public class ActorProperties {

	/**
	 * Provider of token.providers whose application token is sent as the actor token, such as the application's
	 * own client-credentials token at the same authorization server (a provider entry with the same token-uri and
	 * client and grant-type client_credentials) or at another one. Its token type (actor_token_type) is
	 * urn:ietf:params:oauth:token-type:access_token. Without it, exchanged tokens carry no actor (impersonation).
	 */
	private @Nullable String provider;

	public @Nullable String getProvider() {
		return this.provider;
	}

	public void setProvider(@Nullable String provider) {
		this.provider = provider;
	}

}
