package dev.tokenstarter.config;

import java.util.List;
import java.util.Map;

import org.springframework.util.StringUtils;
import org.springframework.validation.Errors;

/**
 * A standard OAuth 2.0 / OpenID Connect token endpoint ({@code type: oauth2}): the client credentials grant unless
 * another is configured, any number of live tokens per client, and a token endpoint that is configured or
 * discovered from the issuer.
 */
final class OAuth2Dialect implements ProviderDialect {

	@Override
	public TokenGrantType defaultGrantType() {
		return TokenGrantType.CLIENT_CREDENTIALS;
	}

	/**
	 * Most servers (Keycloak, Okta, Entra ID) keep every token they issue valid until it expires.
	 */
	@Override
	public SessionPolicy defaultSessions() {
		return SessionPolicy.MULTIPLE;
	}

	@Override
	public ClientAuthentication clientAuthentication(ClientAuthentication configured) {
		return configured;
	}

	@Override
	public ProviderEndpoints endpoints(TokenProperties.Provider provider) {
		return ProviderEndpoints.configured(provider);
	}

	@Override
	public Map<String, String> tokenRequestHeaders(TokenProperties.Provider provider) {
		return Map.of();
	}

	@Override
	public Map<String, String> apiHeaders(TokenProperties.Provider provider) {
		return Map.of();
	}

	@Override
	public List<OwnProperty> ownProperties() {
		return List.of();
	}

	@Override
	public void validate(String prefix, TokenProperties.Provider provider, ProviderEndpoints endpoints,
			Errors errors) {
		if (!StringUtils.hasText(provider.getTokenUri()) && !StringUtils.hasText(provider.getIssuerUri())) {
			TokenPropertiesValidator.error(errors, prefix + ".token-uri",
					"is required: the URL of the provider's token endpoint, such as https://auth.example.com/oauth2/token "
							+ "(or set " + prefix + ".issuer-uri to discover it)");
		}
	}

}
