package dev.tokenstarter.config;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;
import org.springframework.validation.Errors;

/**
 * Nomba ({@code type: nomba}): the client credentials grant at endpoints of its own under the base URL of an
 * environment, the client's id and secret in a JSON body, the parent account named by an {@code accountId} header
 * on every request, and one session per client.
 */
final class NombaDialect implements ProviderDialect {

	/** The header Nomba identifies the parent account by. */
	static final String ACCOUNT_HEADER = "accountId";

	static final String ISSUE_PATH = "/v1/auth/token/issue";

	static final String REFRESH_PATH = "/v1/auth/token/refresh";

	static final String REVOKE_PATH = "/v1/auth/token/revoke";

	private static final List<OwnProperty> OWN_PROPERTIES = List.of(
			new OwnProperty("account-id", TokenProperties.Provider::getAccountId),
			new OwnProperty("nomba-environment", TokenProperties.Provider::getNombaEnvironment));

	@Override
	public TokenGrantType defaultGrantType() {
		return TokenGrantType.CLIENT_CREDENTIALS;
	}

	/**
	 * A new token ends the client's earlier session, so renewals use the refresh token.
	 */
	@Override
	public SessionPolicy defaultSessions() {
		return SessionPolicy.SINGLE;
	}

	/**
	 * Nomba takes the client id and secret in its JSON body, which is what client_secret_post says, whatever is
	 * configured.
	 */
	@Override
	public ClientAuthentication clientAuthentication(ClientAuthentication configured) {
		return ClientAuthentication.CLIENT_SECRET_POST;
	}

	/**
	 * Every endpoint sits under the base URL, itself given by {@code base-url} or {@code nomba-environment}; any of
	 * them can still be set.
	 */
	@Override
	public ProviderEndpoints endpoints(TokenProperties.Provider provider) {
		String base = provider.getBaseUrl();
		if (base == null && provider.getNombaEnvironment() != null) {
			base = provider.getNombaEnvironment().baseUrl();
		}
		return new ProviderEndpoints(base, or(provider.getTokenUri(), base, ISSUE_PATH),
				or(provider.getRefreshUri(), base, REFRESH_PATH), or(provider.getRevokeUri(), base, REVOKE_PATH));
	}

	/**
	 * Nomba wants the parent account on token requests and API calls alike.
	 */
	@Override
	public Map<String, String> tokenRequestHeaders(TokenProperties.Provider provider) {
		return (provider.getAccountId() != null) ? Map.of(ACCOUNT_HEADER, provider.getAccountId()) : Map.of();
	}

	@Override
	public Map<String, String> apiHeaders(TokenProperties.Provider provider) {
		return tokenRequestHeaders(provider);
	}

	@Override
	public List<OwnProperty> ownProperties() {
		return OWN_PROPERTIES;
	}

	@Override
	public void validate(String prefix, TokenProperties.Provider provider, ProviderEndpoints endpoints,
			Errors errors) {
		if (!StringUtils.hasText(provider.getAccountId())) {
			TokenPropertiesValidator.error(errors, prefix + ".account-id",
					"is required for type nomba: the parent account id from the Nomba dashboard, sent as the accountId header");
		}
		if (endpoints.baseUrl() == null) {
			TokenPropertiesValidator.error(errors, prefix + ".base-url", "or " + prefix + ".nomba-environment "
					+ "(production or sandbox) is required for type nomba, such as https://sandbox.nomba.com");
		}
		if (provider.grantTypeOrDefault() != TokenGrantType.CLIENT_CREDENTIALS) {
			TokenPropertiesValidator.error(errors, prefix + ".grant-type", "must be client_credentials for type nomba");
		}
	}

	private static @Nullable String or(@Nullable String configured, @Nullable String base, String path) {
		if (configured != null) {
			return configured;
		}
		return (base != null) ? stripTrailingSlash(base) + path : null;
	}

	private static String stripTrailingSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

}
