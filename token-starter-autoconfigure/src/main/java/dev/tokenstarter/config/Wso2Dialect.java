package dev.tokenstarter.config;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.validation.Errors;

/**
 * WSO2 API Manager ({@code type: wso2}): a standard token endpoint, signed in to with the password grant by
 * default, which keeps one session per client, in front of a gateway that answers errors in XML unless asked for
 * JSON. Endpoints and what they require are those of {@link OAuth2Dialect}.
 */
final class Wso2Dialect implements ProviderDialect {

	private final OAuth2Dialect standard = new OAuth2Dialect();

	@Override
	public TokenGrantType defaultGrantType() {
		return TokenGrantType.PASSWORD;
	}

	/**
	 * A new password grant revokes the user's earlier token (4.x).
	 */
	@Override
	public SessionPolicy defaultSessions() {
		return SessionPolicy.SINGLE;
	}

	@Override
	public ClientAuthentication clientAuthentication(ClientAuthentication configured) {
		return this.standard.clientAuthentication(configured);
	}

	@Override
	public ProviderEndpoints endpoints(TokenProperties.Provider provider) {
		return this.standard.endpoints(provider);
	}

	@Override
	public Map<String, String> tokenRequestHeaders(TokenProperties.Provider provider) {
		return this.standard.tokenRequestHeaders(provider);
	}

	/**
	 * Asks the gateway for JSON, so that its rejections (900901 and the like) come as JSON rather than as an XML
	 * fault.
	 */
	@Override
	public Map<String, String> apiHeaders(TokenProperties.Provider provider) {
		return Map.of(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE);
	}

	@Override
	public List<OwnProperty> ownProperties() {
		return this.standard.ownProperties();
	}

	@Override
	public void validate(String prefix, TokenProperties.Provider provider, ProviderEndpoints endpoints,
			Errors errors) {
		this.standard.validate(prefix, provider, endpoints, errors);
	}

}
