package dev.tokenstarter.grant;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;

/**
 * How a provider type speaks at its token endpoint: the wire side of its dialect, whose settings side (defaults,
 * endpoints, headers, validation) is the type's {@code ProviderDialect} in the config package. {@link TokenGrants}
 * builds each provider's {@link ProviderGrants} from the parts its type's dialect makes; the grants add retries,
 * the overall timeout, observations and the fallback from a refused refresh token to the primary grant.
 *
 * <p>Types whose token endpoint speaks RFC 6749 share {@link Rfc6749TokenEndpoint}; a type that does not adds a
 * class of its own and names it in {@link TokenGrants}. Such a class provides:
 * <ul>
 * <li>{@link #primaryGrant}: the grant that obtains a token when no refresh token is held, empty for grants it
 * does not handle;</li>
 * <li>{@link #refreshGrant}: the refresh token grant, which reports every refusal of the refresh token as
 * {@code invalid_grant}, so that the primary grant takes over;</li>
 * <li>{@link #revoker}: how tokens are revoked, or none;</li>
 * <li>how its answers are read, errors included: each of its token clients reads them through
 * {@link TokenEndpoint#client} with a {@link TokenResponseReader} of its own, which turns them into a token
 * response or a {@link TokenEndpointException} carrying the provider's error code, whether it is worth retrying,
 * and never a secret.</li>
 * </ul>
 */
interface TokenEndpointDialect {

	/**
	 * Returns the grant that obtains a token when no refresh token is held.
	 * @param endpoint the provider's token endpoint
	 * @return the grant, built once per provider and set of token request parameters
	 */
	ReactiveOAuth2AuthorizedClientProvider primaryGrant(TokenEndpoint endpoint);

	/**
	 * Returns the grant that renews a token with the refresh token held.
	 * @param endpoint the provider's token endpoint
	 * @return the grant
	 */
	ReactiveOAuth2AuthorizedClientProvider refreshGrant(TokenEndpoint endpoint);

	/**
	 * Returns how the provider's tokens are revoked.
	 * @param endpoint the provider's token endpoint
	 * @return the revoker, or null when the provider has no revocation endpoint
	 */
	@Nullable TokenRevoker revoker(TokenEndpoint endpoint);

}
