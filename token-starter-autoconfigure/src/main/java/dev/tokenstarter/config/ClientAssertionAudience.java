package dev.tokenstarter.config;

/**
 * What a client assertion's {@code aud} claim names. RFC 7523 lets the authorization server decide; most take
 * their token endpoint, some (Keycloak among them) their issuer too.
 */
public enum ClientAssertionAudience {

	/**
	 * The token endpoint; revocation requests carry the same assertion claims.
	 */
	TOKEN_ENDPOINT,

	/**
	 * The provider's issuer-uri.
	 */
	ISSUER

}
