package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.OAuth2Token;

/**
 * Where the actor token of a token exchange (RFC 8693 {@code actor_token}) comes from: the actor's current token,
 * and a new one when the token endpoint refused an exchange that sent it.
 */
public interface ActorTokens {

	/**
	 * Returns the actor's current token, asked for at each exchange.
	 * @return the actor token; fails when the actor has none
	 */
	Mono<OAuth2Token> token();

	/**
	 * The token endpoint refused an exchange that sent this actor token ({@code invalid_request} or
	 * {@code invalid_grant}, which may mean either token): replaces it,
	 * unless the actor holds another token already, or renewals of refused actor tokens are paused.
	 * @param refused the actor token the exchange sent
	 * @return a token other than the refused one, or empty when none may be had now
	 */
	Mono<OAuth2Token> replaceRefused(OAuth2Token refused);

	/**
	 * Reports how the exchange sent again with a replaced actor token ended.
	 * @param accepted whether the token endpoint accepted it; false when it refused one of its tokens again
	 */
	void retried(boolean accepted);

}
