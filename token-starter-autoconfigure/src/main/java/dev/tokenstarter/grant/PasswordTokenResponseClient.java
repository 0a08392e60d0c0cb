package dev.tokenstarter.grant;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StringUtils;

/**
 * Sends password grant requests: a form with {@code grant_type=password}, {@code username}, {@code password}
 * and the registration's scopes, the client authenticated as its registration says, plus the provider's extra
 * headers and parameters.
 */
public class PasswordTokenResponseClient implements ReactiveOAuth2AccessTokenResponseClient<PasswordGrantRequest> {

	private final TokenEndpointClient endpoint;

	private final Map<String, String> headers;

	private final Map<String, String> parameters;

	public PasswordTokenResponseClient(TokenEndpointClient endpoint, Map<String, String> headers,
			Map<String, String> parameters) {
		this.endpoint = endpoint;
		this.headers = headers;
		this.parameters = parameters;
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> getTokenResponse(PasswordGrantRequest request) {
		return Mono.defer(() -> {
			ClientRegistration registration = request.getClientRegistration();
			HttpHeaders requestHeaders = new HttpHeaders();
			this.headers.forEach(requestHeaders::set);
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			form.set(OAuth2ParameterNames.GRANT_TYPE, request.getGrantType().getValue());
			form.set("username", request.getCredentials().username());
			form.set("password", request.getCredentials().password());
			if (!registration.getScopes().isEmpty()) {
				form.set(OAuth2ParameterNames.SCOPE,
						StringUtils.collectionToDelimitedString(registration.getScopes(), " "));
			}
			this.parameters.forEach(form::set);
			ClientAuthenticationSupport.apply(registration, requestHeaders, form);
			return this.endpoint.postForm(registration.getProviderDetails().getTokenUri(), requestHeaders, form);
		});
	}

}
