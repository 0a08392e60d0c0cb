package dev.tokenstarter.config;

/**
 * The dialect a provider speaks at its token endpoint.
 */
public enum ProviderType {

	/**
	 * A standard OAuth 2.0 / OpenID Connect token endpoint (RFC 6749): form request, JSON answer.
	 */
	OAUTH2

}
