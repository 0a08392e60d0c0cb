package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;

import dev.tokenstarter.config.TokenGrantType;

/**
 * The password grant as an authorized-client provider, since Spring Security 7 has none. The credentials come
 * from a {@link PasswordCredentialsResolver} each time, so the authorized client that gets stored holds the
 * tokens only, never the password. Always signs in when asked: the engine decides when (no token, or the
 * refresh token was refused, which is how a session revoked elsewhere is re-established silently).
 */
class PasswordGrantProvider implements ReactiveOAuth2AuthorizedClientProvider {

	private final ReactiveOAuth2AccessTokenResponseClient<PasswordGrantRequest> responseClient;

	private final PasswordCredentialsResolver credentials;

	PasswordGrantProvider(ReactiveOAuth2AccessTokenResponseClient<PasswordGrantRequest> responseClient,
			PasswordCredentialsResolver credentials) {
		this.responseClient = responseClient;
		this.credentials = credentials;
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizationContext context) {
		ClientRegistration registration = context.getClientRegistration();
		if (!TokenGrantType.PASSWORD.toAuthorizationGrantType().equals(registration.getAuthorizationGrantType())) {
			return Mono.empty();
		}
		return this.credentials.resolve(registration, context.getPrincipal())
			.flatMap((credentials) -> this.responseClient
				.getTokenResponse(new PasswordGrantRequest(registration, credentials))
				.doOnError(TokenErrors::isInvalidGrant,
						(ex) -> this.credentials.refused(registration, context.getPrincipal(), credentials))
				.onErrorMap(OAuth2AuthorizationException.class,
						TokenErrors.attributedTo(registration.getRegistrationId())))
			.map((response) -> new OAuth2AuthorizedClient(registration, context.getPrincipal().getName(),
					response.getAccessToken(), RefreshTokens.of(response)))
			.switchIfEmpty(Mono.error(() -> new ClientAuthorizationException(new OAuth2Error("missing_credentials",
					"no username and password for the password grant", null), registration.getRegistrationId())));
	}

}
