package dev.tokenstarter.config;

/**
 * The dialect a provider speaks at its token endpoint.
 */
public enum ProviderType {

	/**
	 * A standard OAuth 2.0 / OpenID Connect token endpoint (RFC 6749): form request, JSON answer.
	 */
	OAUTH2,

	/**
	 * WSO2 API Manager: a standard token endpoint, the password grant by default, single-use refresh tokens,
	 * and a gateway that answers rejected tokens with codes such as 900901.
	 */
	WSO2,

	/**
	 * Nomba: JSON token requests, an envelope around the answer ({"code":"00","data":{…}}) with an absolute
	 * expiresAt, an accountId header on every request, and refresh and revoke endpoints of its own.
	 */
	NOMBA

}
