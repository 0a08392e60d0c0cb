package dev.tokenstarter.grant;

import java.util.Set;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StringUtils;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenRequestFormat;

/**
 * A token response client for what Spring Security's own clients do not do: the password grant, which it
 * dropped; token requests sent as JSON (Pagstar); and {@code tls_client_auth} (RFC 8705), which its clients
 * refuse although the client certificate is presented by the connection. Sends the grant's parameters, the
 * provider's extra headers and parameters and the client authentication, as a form or as JSON.
 *
 * @param <T> the grant request type
 */
class TokenRequestClient<T extends AbstractOAuth2AuthorizationGrantRequest>
		implements ReactiveOAuth2AccessTokenResponseClient<T> {

	private final TokenEndpointClient endpoint;

	private final ProviderSettings settings;

	private final Function<T, MultiValueMap<String, String>> grantParameters;

	TokenRequestClient(TokenEndpointClient endpoint, ProviderSettings settings,
			Function<T, MultiValueMap<String, String>> grantParameters) {
		this.endpoint = endpoint;
		this.settings = settings;
		this.grantParameters = grantParameters;
	}

	/**
	 * The client credentials grant: {@code grant_type} and the registration's scopes.
	 */
	static TokenRequestClient<OAuth2ClientCredentialsGrantRequest> clientCredentials(
			TokenEndpointClient endpoint, ProviderSettings settings) {
		return new TokenRequestClient<>(endpoint, settings, (request) -> grant(request,
				request.getClientRegistration().getScopes()));
	}

	/**
	 * The refresh token grant: {@code grant_type}, {@code refresh_token} and any scopes the request narrows to.
	 */
	static TokenRequestClient<OAuth2RefreshTokenGrantRequest> refreshToken(TokenEndpointClient endpoint,
			ProviderSettings settings) {
		return new TokenRequestClient<>(endpoint, settings, (request) -> {
			MultiValueMap<String, String> parameters = grant(request, request.getScopes());
			parameters.set(OAuth2ParameterNames.REFRESH_TOKEN, request.getRefreshToken().getTokenValue());
			return parameters;
		});
	}

	/**
	 * The password grant: {@code grant_type}, {@code username}, {@code password} and the registration's scopes.
	 */
	static TokenRequestClient<PasswordGrantRequest> password(TokenEndpointClient endpoint,
			ProviderSettings settings) {
		return new TokenRequestClient<>(endpoint, settings, (request) -> {
			MultiValueMap<String, String> parameters = grant(request, request.getClientRegistration().getScopes());
			parameters.set("username", request.getCredentials().username());
			parameters.set("password", request.getCredentials().password());
			return parameters;
		});
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> getTokenResponse(T request) {
		return Mono.defer(() -> {
			ClientRegistration registration = request.getClientRegistration();
			HttpHeaders headers = new HttpHeaders();
			this.settings.headers().forEach(headers::set);
			MultiValueMap<String, String> parameters = this.grantParameters.apply(request);
			this.settings.parameters().forEach(parameters::set);
			this.endpoint.authenticate(request, headers, parameters);
			String uri = registration.getProviderDetails().getTokenUri();
			return (this.settings.tokenRequestFormat() == TokenRequestFormat.JSON)
					? this.endpoint.postJson(uri, headers, parameters.toSingleValueMap())
					: this.endpoint.postForm(uri, headers, parameters);
		});
	}

	private static MultiValueMap<String, String> grant(AbstractOAuth2AuthorizationGrantRequest request,
			Set<String> scopes) {
		MultiValueMap<String, String> parameters = new LinkedMultiValueMap<>();
		parameters.set(OAuth2ParameterNames.GRANT_TYPE, request.getGrantType().getValue());
		if (!scopes.isEmpty()) {
			parameters.set(OAuth2ParameterNames.SCOPE, StringUtils.collectionToDelimitedString(scopes, " "));
		}
		return parameters;
	}

}
