package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;

/**
 * Tells a provider that the tokens of an authorized client are no longer needed.
 */
@FunctionalInterface
interface TokenRevoker {

	/**
	 * Revokes the client's tokens.
	 * @param client the authorized client
	 * @return completes when the provider accepted the revocation; fails otherwise
	 */
	Mono<Void> revoke(OAuth2AuthorizedClient client);

}
