package dev.tokenstarter.grant;

import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.tokenstarter.ssl.DpopProofs;

/**
 * Puts a DPoP proof on every request to the token endpoint of a provider whose tokens are DPoP-bound, whichever
 * client sends it (Spring Security's form clients, ours for JSON and the password grant), and follows the
 * server's nonces: the {@code DPoP-Nonce} of every answer is kept for the next proofs, and an answer 400
 * {@code use_dpop_nonce} (RFC 9449 section 8) is answered by sending the request once more with a proof that
 * carries the new nonce. That retry is part of the request, not one of the grant's retries: a server that asks
 * for a nonce has not failed.
 */
final class DpopTokenRequests implements ExchangeFilterFunction {

	private final String registrationId;

	private final DpopProofs proofs;

	DpopTokenRequests(String registrationId, DpopProofs proofs) {
		Assert.hasText(registrationId, "registrationId cannot be empty");
		Assert.notNull(proofs, "proofs cannot be null");
		this.registrationId = registrationId;
		this.proofs = proofs;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return send(request, next).flatMap((response) -> {
			if (response.statusCode().value() != HttpStatus.BAD_REQUEST.value()
					|| !this.proofs.followNonce(request.url(), response.headers().asHttpHeaders())) {
				return Mono.just(response);
			}
			return BodyBytes
				.of(DataBufferUtils.join(DataBufferUtils.takeUntilByteCount(
						response.body(BodyExtractors.toDataBuffers()), TokenResponseBodyExtractor.MAX_RESPONSE_BYTES + 1)))
				.flatMap((body) -> isNonceError(body) ? send(request, next)
						: Mono.just(response.mutate()
							.body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)))
							.build()));
		});
	}

	/**
	 * Signs the proof when the request is sent, so that every attempt carries its own.
	 */
	private Mono<ClientResponse> send(ClientRequest request, ExchangeFunction next) {
		return Mono.defer(() -> {
			String proof = this.proofs.proof(this.registrationId, request.method().name(), request.url());
			ClientRequest withProof = (proof != null)
					? ClientRequest.from(request).headers((headers) -> headers.set(DpopProofs.HEADER, proof)).build()
					: request;
			return next.exchange(withProof);
		}).doOnNext((response) -> this.proofs.followNonce(request.url(), response.headers().asHttpHeaders()));
	}

	private static boolean isNonceError(byte[] body) {
		Map<String, Object> json = TokenResponseParser.readJsonObject(body);
		return json != null && DpopProofs.USE_DPOP_NONCE.equals(TokenResponseParser.text(json, OAuth2ParameterNames.ERROR));
	}

}
