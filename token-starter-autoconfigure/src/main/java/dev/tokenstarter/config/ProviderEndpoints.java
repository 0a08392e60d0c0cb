package dev.tokenstarter.config;

import org.jspecify.annotations.Nullable;

/**
 * A provider's URLs: those configured, completed by what its type implies. Nomba's endpoints all sit under its
 * base URL, itself given by {@code base-url} or {@code nomba-environment}; any of them can still be set.
 *
 * @param baseUrl base URL of the provider's API, or null
 * @param tokenUri the token endpoint, or null when missing
 * @param refreshUri the endpoint refresh tokens go to when it is not the token endpoint, or null
 * @param revokeUri the revocation endpoint, or null
 */
record ProviderEndpoints(@Nullable String baseUrl, @Nullable String tokenUri, @Nullable String refreshUri,
		@Nullable String revokeUri) {

	static final String NOMBA_ISSUE_PATH = "/v1/auth/token/issue";

	static final String NOMBA_REFRESH_PATH = "/v1/auth/token/refresh";

	static final String NOMBA_REVOKE_PATH = "/v1/auth/token/revoke";

	static ProviderEndpoints of(TokenProperties.Provider provider) {
		if (provider.getType() != ProviderType.NOMBA) {
			return new ProviderEndpoints(provider.getBaseUrl(), provider.getTokenUri(), provider.getRefreshUri(),
					provider.getRevokeUri());
		}
		String base = provider.getBaseUrl();
		if (base == null && provider.getNombaEnvironment() != null) {
			base = provider.getNombaEnvironment().baseUrl();
		}
		return new ProviderEndpoints(base, or(provider.getTokenUri(), base, NOMBA_ISSUE_PATH),
				or(provider.getRefreshUri(), base, NOMBA_REFRESH_PATH), or(provider.getRevokeUri(), base, NOMBA_REVOKE_PATH));
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
