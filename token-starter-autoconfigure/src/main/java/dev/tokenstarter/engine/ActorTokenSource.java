package dev.tokenstarter.engine;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.util.Assert;

import dev.tokenstarter.grant.ActorTokens;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * The actor tokens of one provider's token exchanges: the actor provider's application token, held and renewed
 * like any other. A token the token endpoint refused is replaced as a token an API rejected is (only while it is
 * still the one held, once per fleet under the actor's lock, paused for the actor's {@code failure-cooldown} once
 * a replacement was refused too), and the exchange sent again counts as the actor's retried request.
 */
final class ActorTokenSource implements ActorTokens {

	private final TokenManager tokens;

	private final String registrationId;

	private final TokenKey actor;

	/**
	 * @param tokens the engine holding the actor's token
	 * @param registrationId the provider whose exchanges the actor acts in, which failures are named after
	 * @param actor the actor's provider
	 */
	ActorTokenSource(TokenManager tokens, String registrationId, String actor) {
		Assert.notNull(tokens, "tokens must not be null");
		Assert.hasText(registrationId, "registrationId must not be empty");
		Assert.hasText(actor, "actor must not be empty");
		this.tokens = tokens;
		this.registrationId = registrationId;
		this.actor = TokenKey.application(actor);
	}

	@Override
	public Mono<OAuth2Token> token() {
		return named(this.tokens.token(this.actor));
	}

	@Override
	public Mono<OAuth2Token> replaceRefused(OAuth2Token refused) {
		return named(this.tokens.replaceRejected(this.actor, refused.getTokenValue()));
	}

	@Override
	public void retried(boolean accepted) {
		this.tokens.recordUnauthorizedRetry(this.actor, accepted);
	}

	/**
	 * The actor's failure is the exchange's, named after the exchanging provider and saying which actor.
	 */
	private Mono<OAuth2Token> named(Mono<ManagedToken> token) {
		return token.<OAuth2Token>map(ManagedToken::accessToken)
			.onErrorMap(TokenAcquisitionException.class,
					(ex) -> new TokenAcquisitionException(this.registrationId, ex.getErrorCode(),
							"no actor token: provider '" + this.actor.registrationId() + "' could not obtain its token ("
									+ ex.getErrorCode() + ")",
							ex.isTransientFailure(), ex));
	}

}
