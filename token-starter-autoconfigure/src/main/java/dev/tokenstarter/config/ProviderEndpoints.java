package dev.tokenstarter.config;

import org.jspecify.annotations.Nullable;

/**
 * A provider's URLs: those configured, completed by what its type implies (see
 * {@link ProviderDialect#endpoints}).
 *
 * @param baseUrl base URL of the provider's API, or null
 * @param tokenUri the token endpoint, or null when missing
 * @param refreshUri the endpoint refresh tokens go to when it is not the token endpoint, or null
 * @param revokeUri the revocation endpoint, or null
 */
record ProviderEndpoints(@Nullable String baseUrl, @Nullable String tokenUri, @Nullable String refreshUri,
		@Nullable String revokeUri) {

	/**
	 * Returns a provider's URLs as its type completes them.
	 */
	static ProviderEndpoints of(TokenProperties.Provider provider) {
		return provider.getType().dialect().endpoints(provider);
	}

	/**
	 * Returns a provider's URLs as configured, none implied.
	 */
	static ProviderEndpoints configured(TokenProperties.Provider provider) {
		return new ProviderEndpoints(provider.getBaseUrl(), provider.getTokenUri(), provider.getRefreshUri(),
				provider.getRevokeUri());
	}

}
