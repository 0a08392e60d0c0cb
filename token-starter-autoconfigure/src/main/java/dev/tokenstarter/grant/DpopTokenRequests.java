package dev.tokenstarter.grant;

import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.tokenstarter.ssl.DpopKey;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * Puts a DPoP proof on every request to the token endpoint of a provider whose tokens are DPoP-bound, whichever
 * client sends it (Spring Security's form clients, ours for JSON and the password grant), and follows the
 * server's nonces: the {@code DPoP-Nonce} of every answer is kept for the next proofs, and an answer 400
 * {@code use_dpop_nonce} (RFC 9449 section 8) is answered by sending the request once more with a proof that
 * carries the new nonce. That retry is part of the request, not one of the grant's retries: a server that asks
 * for a nonce has not failed. A grant's request is sent again by the grant instead ({@link DpopBoundGrant}),
 * which builds it anew: its client assertion is good for one request only (a revocation is sent again by
 * {@link Rfc7009TokenRevoker} alike). The proofs are signed with the key
 * {@link DpopBoundGrant} chose for the grant (it binds the token to that key), or the provider's current key for
 * requests outside a grant (revocation).
 */
final class DpopTokenRequests implements ExchangeFilterFunction {

	/** Where a grant puts the key its token requests are signed with, in the Reactor context. */
	static final String KEY = DpopTokenRequests.class.getName() + ".key";

	/**
	 * Put in the Reactor context by a sender that sends a request again itself when the server asks for a nonce
	 * ({@link Rfc7009TokenRevoker}), building it anew with a new client assertion.
	 */
	static final String RESENT_BY_SENDER = DpopTokenRequests.class.getName() + ".resentBySender";

	private final String registrationId;

	private final DpopKeys keys;

	private final DpopProofs proofs;

	DpopTokenRequests(String registrationId, DpopKeys keys, DpopProofs proofs) {
		Assert.hasText(registrationId, "registrationId cannot be empty");
		Assert.notNull(keys, "keys cannot be null");
		Assert.notNull(proofs, "proofs cannot be null");
		this.registrationId = registrationId;
		this.keys = keys;
		this.proofs = proofs;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return Mono.deferContextual((context) -> {
			Mono<ClientResponse> sent = send(request, next);
			// A grant sends its request again itself (DpopBoundGrant), and so does a revocation: this one's body may
			// hold a client assertion, which a server takes once.
			if (context.hasKey(KEY) || context.hasKey(RESENT_BY_SENDER)) {
				return sent;
			}
			return sent.flatMap((response) -> {
				if (response.statusCode().value() != HttpStatus.BAD_REQUEST.value()
						|| !this.proofs.followNonce(request.url(), response.headers().asHttpHeaders())) {
					return Mono.just(response);
				}
				return BodyBytes.first(response, TokenResponseBodyExtractor.MAX_RESPONSE_BYTES + 1)
					.flatMap((body) -> isNonceError(body) ? send(request, next)
							: Mono.just(response.mutate()
								.body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)))
								.build()));
			});
		});
	}

	/**
	 * Signs the proof when the request is sent, so that every attempt carries its own.
	 */
	private Mono<ClientResponse> send(ClientRequest request, ExchangeFunction next) {
		return Mono.deferContextual((context) -> context.<DpopKey>getOrEmpty(KEY)
			.map(Mono::just)
			.orElseGet(() -> this.keys.current(this.registrationId)))
			.flatMap((key) -> {
				String proof = this.proofs.proof(key, request.method().name(), request.url());
				return next.exchange(ClientRequest.from(request)
					.headers((headers) -> headers.set(DpopProofs.HEADER, proof))
					.build());
			})
			.doOnNext((response) -> this.proofs.followNonce(request.url(), response.headers().asHttpHeaders()));
	}

	/**
	 * Whether an answer's body is RFC 9449's {@code use_dpop_nonce} error.
	 */
	static boolean isNonceError(byte[] body) {
		Map<String, Object> json = TokenResponseParser.readJsonObject(body);
		return json != null && DpopProofs.USE_DPOP_NONCE.equals(TokenResponseParser.text(json, OAuth2ParameterNames.ERROR));
	}

}
