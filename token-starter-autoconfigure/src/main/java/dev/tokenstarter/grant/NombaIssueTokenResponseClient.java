package dev.tokenstarter.grant;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;

/**
 * Nomba's "obtain access token": {@code POST …/v1/auth/token/issue} with the JSON body
 * {@code {"grant_type":"client_credentials","client_id":…,"client_secret":…}} and the {@code accountId} header.
 * Spring Security's token clients only send forms, hence a client of its own.
 */
class NombaIssueTokenResponseClient
		implements ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> {

	private final TokenEndpointClient endpoint;

	private final Map<String, String> headers;

	NombaIssueTokenResponseClient(TokenEndpointClient endpoint, Map<String, String> headers) {
		this.endpoint = endpoint;
		this.headers = headers;
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> getTokenResponse(OAuth2ClientCredentialsGrantRequest request) {
		return Mono.defer(() -> {
			ClientRegistration registration = request.getClientRegistration();
			Map<String, String> body = new LinkedHashMap<>();
			body.put(OAuth2ParameterNames.GRANT_TYPE, request.getGrantType().getValue());
			body.put(OAuth2ParameterNames.CLIENT_ID, registration.getClientId());
			body.put(OAuth2ParameterNames.CLIENT_SECRET, registration.getClientSecret());
			HttpHeaders requestHeaders = new HttpHeaders();
			this.headers.forEach(requestHeaders::set);
			return this.endpoint.postJson(registration.getProviderDetails().getTokenUri(), requestHeaders, body);
		});
	}

}
