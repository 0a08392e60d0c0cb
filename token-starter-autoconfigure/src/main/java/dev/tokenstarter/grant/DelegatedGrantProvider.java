package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.util.Assert;

/**
 * A grant that obtains a token on behalf of the subject of another token (token exchange, RFC 8693; JWT bearer,
 * RFC 7523): Spring Security's provider for the grant does the request, this class bounds what it hands the
 * engine. The token obtained keeps no refresh token, so that it is only ever renewed by presenting the subject
 * token again, and it never outlives the subject token when that token's expiry is known: a delegated token must
 * not let a caller act for a user whose own token is over.
 */
final class DelegatedGrantProvider implements ReactiveOAuth2AuthorizedClientProvider {

	/** The attribute of an {@link OAuth2AuthorizationContext} holding the subject token, an {@link OAuth2Token}. */
	static final String SUBJECT_TOKEN = DelegatedGrantProvider.class.getName() + ".subjectToken";

	/**
	 * The attribute of an {@link OAuth2AuthorizationContext} holding where the actor token of a token exchange
	 * comes from, a {@code Supplier<Mono<OAuth2Token>>}: asked at each exchange, so that the actor token sent is
	 * the actor's current one.
	 */
	static final String ACTOR_TOKEN = DelegatedGrantProvider.class.getName() + ".actorToken";

	private final AuthorizationGrantType grantType;

	private final ReactiveOAuth2AuthorizedClientProvider delegate;

	private final Clock clock;

	DelegatedGrantProvider(AuthorizationGrantType grantType, ReactiveOAuth2AuthorizedClientProvider delegate,
			Clock clock) {
		Assert.notNull(grantType, "grantType must not be null");
		Assert.notNull(delegate, "delegate must not be null");
		Assert.notNull(clock, "clock must not be null");
		this.grantType = grantType;
		this.delegate = delegate;
		this.clock = clock;
	}

	/**
	 * Returns the subject token an authorization context carries, or null.
	 */
	static @Nullable OAuth2Token subjectToken(OAuth2AuthorizationContext context) {
		return context.getAttribute(SUBJECT_TOKEN);
	}

	/**
	 * Returns the actor token of a token exchange, or empty when the context has no actor.
	 */
	static Mono<OAuth2Token> actorToken(OAuth2AuthorizationContext context) {
		Supplier<Mono<OAuth2Token>> actor = context.getAttribute(ACTOR_TOKEN);
		return (actor != null) ? actor.get() : Mono.empty();
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizationContext context) {
		ClientRegistration registration = context.getClientRegistration();
		if (!this.grantType.equals(registration.getAuthorizationGrantType())) {
			return Mono.empty();
		}
		OAuth2Token subject = subjectToken(context);
		Instant subjectExpiry = (subject != null) ? subject.getExpiresAt() : null;
		if (subjectExpiry != null && !subjectExpiry.isAfter(this.clock.instant())) {
			// Asking would only earn an invalid_grant, after a round trip and, for some servers, a logged refusal.
			return Mono.error(subjectExpired(registration));
		}
		return Mono.defer(() -> this.delegate.authorize(context))
			.onErrorMap(OAuth2AuthorizationException.class, TokenErrors.attributedTo(registration.getRegistrationId()))
			.map((client) -> new OAuth2AuthorizedClient(registration, context.getPrincipal().getName(),
					bounded(client.getAccessToken(), subjectExpiry, registration)));
	}

	private static ClientAuthorizationException subjectExpired(ClientRegistration registration) {
		return new ClientAuthorizationException(
				new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "the subject token has expired", null),
				registration.getRegistrationId());
	}

	/**
	 * Shortens the token's lifetime to what is left of the subject token's. The lifetime, not the instant, is
	 * what the engine reads: it measures tokens from their arrival on its own clock.
	 */
	private OAuth2AccessToken bounded(OAuth2AccessToken token, @Nullable Instant subjectExpiry,
			ClientRegistration registration) {
		if (subjectExpiry == null || token.getIssuedAt() == null) {
			return token;
		}
		Duration left = Duration.between(this.clock.instant(), subjectExpiry);
		if (left.isNegative() || left.isZero()) {
			// The subject token expired while the provider answered: the token would be born expired.
			throw subjectExpired(registration);
		}
		Duration lifetime = (token.getExpiresAt() != null) ? Duration.between(token.getIssuedAt(), token.getExpiresAt())
				: left;
		if (lifetime.compareTo(left) <= 0 && token.getExpiresAt() != null) {
			return token;
		}
		return new OAuth2AccessToken(token.getTokenType(), token.getTokenValue(), token.getIssuedAt(),
				token.getIssuedAt().plus(left), token.getScopes());
	}

}
