package dev.tokenstarter.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Everything the engine and the clients need to know about one provider beyond its {@code ClientRegistration}.
 *
 * @param registrationId the provider's name and client registration id
 * @param headers extra headers for token requests
 * @param parameters extra token request parameters (audience included)
 * @param baseUrl base URL of the API the tokens are used on
 * @param unauthorizedStatuses API statuses that mean the token was rejected
 * @param refresh renewal timing
 * @param retry token request retries and timeouts
 * @param apiHeaders headers every API request through the provider's clients carries unless it sets them itself
 * @param revokeUri the token revocation endpoint, or null
 * @param revokeOnShutdown whether held tokens are revoked at graceful shutdown
 * @param type the provider's dialect
 * @param refreshUri where refresh tokens go when not to the token endpoint, or null
 * @param tokenRequestFormat how token request parameters are sent
 * @param sslBundle the SSL bundle of the provider's connections, or null
 * @param clientAuthentication how a {@code token.providers} client authenticates at the token endpoint (a
 * registration from elsewhere says so in its {@code ClientRegistration})
 * @param sessions how many live sessions the provider keeps per client
 * @param acquireOnStartup whether the token is obtained during start-up
 * @param failOnStartupError whether failing to obtain it then stops the start-up
 * @param dpop how the provider's tokens are DPoP-bound, or null for Bearer tokens
 */
public record ProviderSettings(String registrationId, Map<String, String> headers, Map<String, String> parameters,
		@Nullable String baseUrl, Set<Integer> unauthorizedStatuses, RefreshSettings refresh, RetrySettings retry,
		Map<String, String> apiHeaders, @Nullable String revokeUri, boolean revokeOnShutdown, ProviderType type,
		@Nullable String refreshUri, TokenRequestFormat tokenRequestFormat, @Nullable String sslBundle,
		ClientAuthentication clientAuthentication, SessionPolicy sessions, boolean acquireOnStartup,
		boolean failOnStartupError, @Nullable DpopSettings dpop) {

	/**
	 * Whether a new token invalidates the client's earlier ones.
	 */
	public boolean singleSession() {
		return this.sessions == SessionPolicy.SINGLE;
	}

	/**
	 * Whether the provider's tokens are DPoP-bound.
	 */
	public boolean isDpop() {
		return this.dpop != null;
	}

	/**
	 * Returns these settings with token request parameters added, replacing those of the same name.
	 * @param added the parameters to add
	 * @return the settings for token requests with those parameters
	 */
	public ProviderSettings withParameters(Map<String, String> added) {
		if (added.isEmpty()) {
			return this;
		}
		Map<String, String> merged = new LinkedHashMap<>(this.parameters);
		merged.putAll(added);
		return new ProviderSettings(this.registrationId, this.headers, Map.copyOf(merged), this.baseUrl,
				this.unauthorizedStatuses, this.refresh, this.retry, this.apiHeaders, this.revokeUri,
				this.revokeOnShutdown, this.type, this.refreshUri, this.tokenRequestFormat, this.sslBundle,
				this.clientAuthentication, this.sessions,
				this.acquireOnStartup, this.failOnStartupError, this.dpop);
	}

	@Override
	public String toString() {
		return "ProviderSettings[" + this.registrationId + ", baseUrl=" + this.baseUrl + "]";
	}

}
