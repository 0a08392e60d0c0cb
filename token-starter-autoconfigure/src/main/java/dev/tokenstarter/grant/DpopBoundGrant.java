package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.util.Assert;

import dev.tokenstarter.ssl.DpopKey;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.ssl.DpopProofs;
import dev.tokenstarter.ssl.NoFleetDpopKeyException;

/**
 * Binds the tokens a DPoP provider's grant obtains to the key their token requests were signed with. Each attempt
 * takes the provider's current key once and hands it to {@link DpopTokenRequests} in the Reactor context, so that
 * every request of the attempt is signed with it, then records that the token it got is
 * bound to that key: a key rotated meanwhile cannot be taken for the token's. A single-session provider whose
 * instance has no fleet key to sign with while the store does not answer is refused as the engine refuses it
 * when it cannot coordinate: {@code coordination_lost}, transient.
 *
 * <p>A token endpoint's {@code use_dpop_nonce} answer has the grant sent once more, built anew rather than the
 * same request again: a client assertion ({@code private_key_jwt}, {@code client_secret_jwt}) is spent by the
 * server that reads it, before or after it asks for a nonce.
 */
final class DpopBoundGrant implements ReactiveOAuth2AuthorizedClientProvider {

	private final String registrationId;

	private final ReactiveOAuth2AuthorizedClientProvider grant;

	private final DpopKeys keys;

	DpopBoundGrant(String registrationId, ReactiveOAuth2AuthorizedClientProvider grant, DpopKeys keys) {
		Assert.hasText(registrationId, "registrationId cannot be empty");
		Assert.notNull(grant, "grant cannot be null");
		Assert.notNull(keys, "keys cannot be null");
		this.registrationId = registrationId;
		this.grant = grant;
		this.keys = keys;
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizationContext context) {
		return this.keys.current(this.registrationId)
			.onErrorMap(NoFleetDpopKeyException.class,
					(ex) -> new TokenAcquisitionException(this.registrationId, TokenErrors.COORDINATION_LOST,
							ex.getMessage(), true, ex))
			.flatMap((key) -> signedWith(key, context).onErrorResume(DpopBoundGrant::asksForNonce,
					(ex) -> signedWith(key, context)));
	}

	private Mono<OAuth2AuthorizedClient> signedWith(DpopKey key, OAuth2AuthorizationContext context) {
		return Mono.defer(() -> this.grant.authorize(context))
			.doOnNext((client) -> this.keys.bind(this.registrationId, client.getAccessToken(), key))
			.contextWrite((reactorContext) -> reactorContext.put(DpopTokenRequests.KEY, key));
	}

	/**
	 * Whether the token endpoint wants a proof with its nonce (RFC 9449 section 8), which the next proof carries.
	 */
	private static boolean asksForNonce(Throwable failure) {
		return DpopProofs.USE_DPOP_NONCE.equals(TokenErrors.errorCode(failure));
	}

}
