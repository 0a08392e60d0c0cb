package dev.tokenstarter.config;

import org.springframework.security.oauth2.core.AuthorizationGrantType;

/**
 * The grant a provider's tokens are obtained with when no refresh token is held.
 */
public enum TokenGrantType {

	/**
	 * The client credentials grant (RFC 6749 section 4.4): the application authenticates as itself.
	 */
	CLIENT_CREDENTIALS(AuthorizationGrantType.CLIENT_CREDENTIALS),

	/**
	 * The resource owner password credentials grant (RFC 6749 section 4.3): the application signs in as a user
	 * with username and password. Spring Security 7 dropped it; the starter provides it.
	 */
	PASSWORD(new AuthorizationGrantType("password")),

	/**
	 * Token exchange (RFC 8693): the application trades the token a user's request brought (the subject token)
	 * for a token of its own acting for that user, for another audience. Tokens are asked for per subject token.
	 */
	TOKEN_EXCHANGE(AuthorizationGrantType.TOKEN_EXCHANGE),

	/**
	 * The JWT bearer grant (RFC 7523 section 2.1): a JWT (the user's request's own, or an assertion the
	 * application supplies) is presented as the authorization grant.
	 */
	JWT_BEARER(AuthorizationGrantType.JWT_BEARER);

	private final AuthorizationGrantType authorizationGrantType;

	TokenGrantType(AuthorizationGrantType authorizationGrantType) {
		this.authorizationGrantType = authorizationGrantType;
	}

	public AuthorizationGrantType toAuthorizationGrantType() {
		return this.authorizationGrantType;
	}

}
