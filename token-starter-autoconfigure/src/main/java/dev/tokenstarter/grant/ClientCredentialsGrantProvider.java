package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;

/**
 * The client credentials grant, always run when asked, keeping any refresh token the server issues. Spring
 * Security's {@code ClientCredentialsReactiveOAuth2AuthorizedClientProvider} drops that refresh token (RFC 6749
 * says a server should not issue one), but Keycloak can be set to and Nomba does, and renewing with it keeps a
 * single session at the provider.
 */
class ClientCredentialsGrantProvider implements ReactiveOAuth2AuthorizedClientProvider {

	private final ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> responseClient;

	ClientCredentialsGrantProvider(
			ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> responseClient) {
		this.responseClient = responseClient;
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizationContext context) {
		ClientRegistration registration = context.getClientRegistration();
		if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(registration.getAuthorizationGrantType())) {
			return Mono.empty();
		}
		return Mono
			.defer(() -> this.responseClient.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration)))
			.onErrorMap(OAuth2AuthorizationException.class, TokenErrors.attributedTo(registration.getRegistrationId()))
			.map((response) -> new OAuth2AuthorizedClient(registration, context.getPrincipal().getName(),
					response.getAccessToken(), RefreshTokens.of(response)));
	}

}
