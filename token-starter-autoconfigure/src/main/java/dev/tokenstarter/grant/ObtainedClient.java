package dev.tokenstarter.grant;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.util.Assert;

/**
 * What a provider answered a token request with, and by which grant: a renewal that presented a refresh token may
 * end with a token of the primary grant when the refresh was refused, and that token is a new session, not a
 * continuation of the one the refresh token belonged to.
 *
 * @param authorizedClient the client obtained
 * @param continuesSession whether the refresh token grant answered, so that the client continues the session of the
 * client whose refresh token it spent
 */
public record ObtainedClient(OAuth2AuthorizedClient authorizedClient, boolean continuesSession) {

	public ObtainedClient {
		Assert.notNull(authorizedClient, "authorizedClient must not be null");
	}

	static ObtainedClient refreshed(OAuth2AuthorizedClient authorizedClient) {
		return new ObtainedClient(authorizedClient, true);
	}

	static ObtainedClient anew(OAuth2AuthorizedClient authorizedClient) {
		return new ObtainedClient(authorizedClient, false);
	}

}
