package dev.tokenstarter.grant;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.DelegatingReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenRequestFormat;

/**
 * The token endpoint of RFC 6749, which plain OAuth 2.0 servers and WSO2 API Manager speak: the client credentials
 * and password grants and the refresh token grant, answers read by {@link TokenResponseParser}, and RFC 7009
 * revocation when the provider has a revocation endpoint. Spring Security's token clients are used where they fit;
 * ours for the password grant, JSON requests and tls_client_auth.
 */
final class Rfc6749TokenEndpoint implements TokenEndpointDialect {

	private final PasswordCredentialsResolver passwordCredentials;

	private final Supplier<@Nullable JwtBearerAssertions> jwtBearerAssertions;

	Rfc6749TokenEndpoint(PasswordCredentialsResolver passwordCredentials,
			Supplier<@Nullable JwtBearerAssertions> jwtBearerAssertions) {
		this.passwordCredentials = passwordCredentials;
		this.jwtBearerAssertions = jwtBearerAssertions;
	}

	/**
	 * Client credentials, or the grant the registration names: password, token exchange or JWT bearer.
	 */
	@Override
	public ReactiveOAuth2AuthorizedClientProvider primaryGrant(TokenEndpoint endpoint) {
		AuthorizationGrantType grantType = endpoint.registration().getAuthorizationGrantType();
		if (AuthorizationGrantType.TOKEN_EXCHANGE.equals(grantType)) {
			return DelegatedGrants.tokenExchange(endpoint, reader(endpoint));
		}
		if (AuthorizationGrantType.JWT_BEARER.equals(grantType)) {
			return DelegatedGrants.jwtBearer(endpoint, reader(endpoint), this.jwtBearerAssertions);
		}
		ProviderSettings provider = endpoint.provider();
		TokenEndpointClient client = endpoint.client(reader(endpoint));
		ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> clientCredentials = needsOwnClients(
				endpoint) ? TokenRequestClient.clientCredentials(client, provider) : springClientCredentials(endpoint);
		return new DelegatingReactiveOAuth2AuthorizedClientProvider(new ClientCredentialsGrantProvider(clientCredentials),
				new PasswordGrantProvider(TokenRequestClient.password(client, provider), this.passwordCredentials));
	}

	@Override
	public ReactiveOAuth2AuthorizedClientProvider refreshGrant(TokenEndpoint endpoint) {
		ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> refreshToken = needsOwnClients(endpoint)
				? TokenRequestClient.refreshToken(endpoint.client(reader(endpoint)), endpoint.provider())
				: springRefreshToken(endpoint);
		return new RefreshTokenGrantProvider(toRefreshUri(refreshToken, endpoint.provider().refreshUri()));
	}

	/**
	 * The provider's {@code revoke-uri}, or the {@code revocation_endpoint} its discovery document names (RFC 8414).
	 */
	@Override
	public @Nullable TokenRevoker revoker(TokenEndpoint endpoint) {
		String revokeUri = endpoint.provider().revokeUri();
		if (revokeUri == null) {
			Object discovered = endpoint.registration()
				.getProviderDetails()
				.getConfigurationMetadata()
				.get("revocation_endpoint");
			revokeUri = (discovered != null) ? discovered.toString() : null;
		}
		return (revokeUri != null)
				? new Rfc7009TokenRevoker(endpoint.webClient(), revokeUri, endpoint.provider().headers(),
						endpoint.authentication())
				: null;
	}

	private static TokenResponseReader reader(TokenEndpoint endpoint) {
		ProviderSettings provider = endpoint.provider();
		return new TokenResponseParser(provider.refresh().defaultLifetime(), provider.refresh().maxLifetime(),
				endpoint.clock(), provider.isDpop());
	}

	/**
	 * Spring Security's clients send forms only and refuse tls_client_auth and self_signed_tls_client_auth; ours
	 * do both.
	 */
	private static boolean needsOwnClients(TokenEndpoint endpoint) {
		ClientAuthenticationMethod method = endpoint.registration().getClientAuthenticationMethod();
		return endpoint.provider().tokenRequestFormat() == TokenRequestFormat.JSON
				|| ClientAuthenticationMethod.TLS_CLIENT_AUTH.equals(method)
				|| ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH.equals(method);
	}

	/**
	 * Both kinds of client post to the registration's token endpoint: a provider that takes refresh tokens
	 * elsewhere ({@code refresh-uri}) gets requests whose registration names that endpoint instead.
	 */
	private static ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> toRefreshUri(
			ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> client,
			@Nullable String refreshUri) {
		if (refreshUri == null) {
			return client;
		}
		return (request) -> client.getTokenResponse(new OAuth2RefreshTokenGrantRequest(
				ClientRegistration.withClientRegistration(request.getClientRegistration()).tokenUri(refreshUri).build(),
				request.getAccessToken(), request.getRefreshToken(), request.getScopes()));
	}

	private static WebClientReactiveClientCredentialsTokenResponseClient springClientCredentials(
			TokenEndpoint endpoint) {
		WebClientReactiveClientCredentialsTokenResponseClient client = new WebClientReactiveClientCredentialsTokenResponseClient();
		client.setWebClient(endpoint.webClient());
		client.setBodyExtractor(endpoint.extractor(reader(endpoint)));
		client.addHeadersConverter((request) -> headers(endpoint.provider()));
		client.addParametersConverter((request) -> parameters(endpoint.provider()));
		client.addParametersConverter(endpoint.assertions()::parameters);
		return client;
	}

	private static WebClientReactiveRefreshTokenTokenResponseClient springRefreshToken(TokenEndpoint endpoint) {
		WebClientReactiveRefreshTokenTokenResponseClient client = new WebClientReactiveRefreshTokenTokenResponseClient();
		client.setWebClient(endpoint.webClient());
		client.setBodyExtractor(endpoint.extractor(reader(endpoint)));
		client.addHeadersConverter((request) -> headers(endpoint.provider()));
		client.addParametersConverter((request) -> parameters(endpoint.provider()));
		client.addParametersConverter(endpoint.assertions()::parameters);
		return client;
	}

	private static HttpHeaders headers(ProviderSettings provider) {
		HttpHeaders headers = new HttpHeaders();
		provider.headers().forEach(headers::set);
		return headers;
	}

	private static MultiValueMap<String, String> parameters(ProviderSettings provider) {
		MultiValueMap<String, String> parameters = new LinkedMultiValueMap<>();
		provider.parameters().forEach(parameters::add);
		return parameters;
	}

}
