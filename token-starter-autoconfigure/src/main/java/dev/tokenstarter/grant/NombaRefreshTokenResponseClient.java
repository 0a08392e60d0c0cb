package dev.tokenstarter.grant;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;

/**
 * Nomba's "refresh an expired token": {@code POST …/v1/auth/token/refresh} with the JSON body
 * {@code {"grant_type":"refresh_token","refresh_token":…}}, the current access token as a bearer token and the
 * {@code accountId} header. Nomba keeps one session per client, so refreshing (rather than issuing anew) is
 * what keeps instances from logging each other out.
 */
class NombaRefreshTokenResponseClient
		implements ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> {

	private final TokenEndpointClient endpoint;

	private final String refreshUri;

	private final Map<String, String> headers;

	NombaRefreshTokenResponseClient(TokenEndpointClient endpoint, String refreshUri, Map<String, String> headers) {
		this.endpoint = endpoint;
		this.refreshUri = refreshUri;
		this.headers = headers;
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> getTokenResponse(OAuth2RefreshTokenGrantRequest request) {
		return Mono.defer(() -> {
			Map<String, String> body = new LinkedHashMap<>();
			body.put(OAuth2ParameterNames.GRANT_TYPE, request.getGrantType().getValue());
			body.put(OAuth2ParameterNames.REFRESH_TOKEN, request.getRefreshToken().getTokenValue());
			HttpHeaders requestHeaders = new HttpHeaders();
			this.headers.forEach(requestHeaders::set);
			requestHeaders.setBearerAuth(request.getAccessToken().getTokenValue());
			return this.endpoint.postJson(this.refreshUri, requestHeaders, body);
		});
	}

}
