package dev.tokenstarter.grant;

import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;

import dev.tokenstarter.config.ProviderSettings;

/**
 * Nomba's token endpoints: JSON requests with the {@code accountId} header and answers in an envelope, at
 * endpoints of its own for issuing, refreshing and revoking alike.
 */
final class NombaTokenEndpoint implements TokenEndpointDialect {

	@Override
	public ReactiveOAuth2AuthorizedClientProvider primaryGrant(TokenEndpoint endpoint) {
		ProviderSettings provider = endpoint.provider();
		return new ClientCredentialsGrantProvider(
				new NombaIssueTokenResponseClient(endpoint.client(reader(endpoint, false)), provider.headers()));
	}

	@Override
	public ReactiveOAuth2AuthorizedClientProvider refreshGrant(TokenEndpoint endpoint) {
		ProviderSettings provider = endpoint.provider();
		return new RefreshTokenGrantProvider(new NombaRefreshTokenResponseClient(endpoint.client(reader(endpoint, true)),
				provider.refreshUri(), provider.headers()));
	}

	@Override
	public TokenRevoker revoker(TokenEndpoint endpoint) {
		ProviderSettings provider = endpoint.provider();
		return new NombaTokenRevoker(endpoint.webClient(), provider.revokeUri(), provider.headers());
	}

	private static NombaResponseReader reader(TokenEndpoint endpoint, boolean refresh) {
		return new NombaResponseReader(refresh, endpoint.provider().refresh().maxLifetime(), endpoint.clock());
	}

}
