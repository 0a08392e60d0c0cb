package dev.tokenstarter.grant;

import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

/**
 * The refresh token grant, run whenever the engine asks (it decides when a token is renewed), keeping the
 * refresh token's lifetime from {@code refresh_expires_in} and, when the server sends no new refresh token, the
 * held one with its lifetime. Spring Security's {@code RefreshTokenReactiveOAuth2AuthorizedClientProvider} does
 * its own expiry check and rebuilds refresh tokens without a lifetime.
 */
class RefreshTokenGrantProvider implements ReactiveOAuth2AuthorizedClientProvider {

	private final ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> responseClient;

	RefreshTokenGrantProvider(
			ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> responseClient) {
		this.responseClient = responseClient;
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizationContext context) {
		OAuth2AuthorizedClient current = context.getAuthorizedClient();
		if (current == null || current.getRefreshToken() == null) {
			return Mono.empty();
		}
		ClientRegistration registration = context.getClientRegistration();
		OAuth2RefreshToken held = current.getRefreshToken();
		return Mono
			.defer(() -> this.responseClient.getTokenResponse(
					new OAuth2RefreshTokenGrantRequest(registration, current.getAccessToken(), held, Set.of())))
			.onErrorMap(OAuth2AuthorizationException.class, TokenErrors.attributedTo(registration.getRegistrationId()))
			.map((response) -> {
				OAuth2RefreshToken refreshed = RefreshTokens.of(response);
				boolean sameWithoutLifetime = refreshed != null && refreshed.getExpiresAt() == null
						&& refreshed.getTokenValue().equals(held.getTokenValue());
				return new OAuth2AuthorizedClient(registration, current.getPrincipalName(), response.getAccessToken(),
						(refreshed == null || sameWithoutLifetime) ? held : refreshed);
			});
	}

}
