package dev.tokenstarter.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Resolved settings of every configured provider, and the defaults that registrations coming from elsewhere
 * (such as {@code spring.security.oauth2.client.registration.*}) get.
 */
public class TokenSettings {

	/** The header Nomba identifies the parent account by. */
	static final String NOMBA_ACCOUNT_HEADER = "accountId";

	private final Map<String, ProviderSettings> providers;

	private final Map<String, String> usernames;

	private final TokenProperties.Defaults defaults;

	public TokenSettings(TokenProperties properties) {
		this.defaults = properties.getDefaults();
		Map<String, ProviderSettings> resolved = new LinkedHashMap<>();
		Map<String, String> usernames = new LinkedHashMap<>();
		properties.getProviders().forEach((name, provider) -> {
			resolved.put(name, resolve(name, provider));
			if (provider.grantTypeOrDefault() == TokenGrantType.PASSWORD && provider.getUsername() != null) {
				usernames.put(name, provider.getUsername());
			}
		});
		this.providers = Map.copyOf(resolved);
		this.usernames = Map.copyOf(usernames);
	}

	/**
	 * Returns the user a password-grant provider signs in as ({@code token.providers.<name>.username}): its
	 * tokens are that user's. Never the password.
	 * @param registrationId the client registration id
	 * @return the username, or null for other grants and for registrations from elsewhere
	 */
	public @Nullable String username(String registrationId) {
		return this.usernames.get(registrationId);
	}

	/**
	 * Returns the settings of a registration: its own when it is a {@code token.providers} entry, otherwise the
	 * defaults.
	 * @param registrationId the client registration id
	 * @return the settings, never null
	 */
	public ProviderSettings provider(String registrationId) {
		ProviderSettings settings = this.providers.get(registrationId);
		return (settings != null) ? settings : resolve(registrationId, new TokenProperties.Provider());
	}

	private ProviderSettings resolve(String name, TokenProperties.Provider provider) {
		Map<String, String> parameters = new LinkedHashMap<>(provider.getParameters());
		if (provider.getAudience() != null) {
			parameters.put("audience", provider.getAudience());
		}
		Set<Integer> statuses = (provider.getUnauthorizedStatuses() != null) ? provider.getUnauthorizedStatuses()
				: this.defaults.getUnauthorizedStatuses();
		ProviderEndpoints endpoints = ProviderEndpoints.of(provider);
		Map<String, String> headers = new LinkedHashMap<>(provider.getHeaders());
		headers.putAll(dialectHeaders(provider));
		return new ProviderSettings(name, Map.copyOf(headers), Map.copyOf(parameters), endpoints.baseUrl(),
				Set.copyOf(statuses), RefreshSettings.resolve(provider.getRefresh(), this.defaults.getRefresh()),
				RetrySettings.resolve(provider.getRetry(), this.defaults.getRetry()), apiHeaders(provider),
				endpoints.revokeUri(), provider.isRevokeOnShutdown(), provider.getType(), endpoints.refreshUri(),
				provider.getTokenRequestFormat(), provider.getSslBundle(), sessions(provider));
	}

	/**
	 * Nomba and WSO2 API Manager keep one session per client; plain OAuth 2.0 servers are assumed to keep many.
	 */
	static SessionPolicy sessions(TokenProperties.Provider provider) {
		if (provider.getSessions() != null) {
			return provider.getSessions();
		}
		return (provider.getType() == ProviderType.OAUTH2) ? SessionPolicy.MULTIPLE : SessionPolicy.SINGLE;
	}

	/**
	 * WSO2's gateway answers errors in XML unless asked for JSON, and its error codes are only read from JSON.
	 * Nomba wants its accountId header on every call.
	 */
	private static Map<String, String> apiHeaders(TokenProperties.Provider provider) {
		if (provider.getType() == ProviderType.WSO2) {
			return Map.of(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE);
		}
		return dialectHeaders(provider);
	}

	/**
	 * Headers the provider's type requires on token requests and API calls alike.
	 */
	private static Map<String, String> dialectHeaders(TokenProperties.Provider provider) {
		if (provider.getType() == ProviderType.NOMBA && provider.getAccountId() != null) {
			return Map.of(NOMBA_ACCOUNT_HEADER, provider.getAccountId());
		}
		return Map.of();
	}

}
