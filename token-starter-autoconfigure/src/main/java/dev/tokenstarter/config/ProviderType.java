package dev.tokenstarter.config;

/**
 * The dialect a provider speaks at its token endpoint. Each type names the one {@link ProviderDialect} that says
 * what it means for the provider's settings; a new type is a constant here naming a new class implementing that
 * interface, and the line of the grant package's {@code TokenGrants} that says how its token endpoint speaks.
 */
public enum ProviderType {

	/**
	 * A standard OAuth 2.0 / OpenID Connect token endpoint (RFC 6749): form request, JSON answer.
	 */
	OAUTH2(new OAuth2Dialect()),

	/**
	 * WSO2 API Manager: a standard token endpoint, the password grant by default, single-use refresh tokens,
	 * and a gateway that answers rejected tokens with codes such as 900901.
	 */
	WSO2(new Wso2Dialect()),

	/**
	 * Nomba: JSON token requests, an envelope around the answer ({"code":"00","data":{…}}) with an absolute
	 * expiresAt, an accountId header on every request, and refresh and revoke endpoints of its own.
	 */
	NOMBA(new NombaDialect());

	private final ProviderDialect dialect;

	ProviderType(ProviderDialect dialect) {
		this.dialect = dialect;
	}

	ProviderDialect dialect() {
		return this.dialect;
	}

}
