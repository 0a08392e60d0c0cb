package dev.tokenstarter.client;

import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.grant.BodyBytes;
import dev.tokenstarter.engine.TokenManager;

/**
 * Puts a provider's token, and the headers its API expects on every call, on every {@code WebClient} request.
 * When the API answers with one of the provider's unauthorized statuses, the rejected token is renewed and the
 * request sent once more; a second rejection is returned to the caller as it is, and so is a rejection the engine
 * does not renew because the API refuses even newly issued tokens.
 */
public class TokenExchangeFilterFunction implements ExchangeFilterFunction {

	private static final Log logger = LogFactory.getLog(TokenExchangeFilterFunction.class);

	private final TokenManager tokenManager;

	private final String registrationId;

	private final UnauthorizedStatuses unauthorizedStatuses;

	private final Map<String, String> apiHeaders;

	public TokenExchangeFilterFunction(TokenManager tokenManager, String registrationId,
			Set<Integer> unauthorizedStatuses, Map<String, String> apiHeaders) {
		this.tokenManager = tokenManager;
		this.registrationId = registrationId;
		this.unauthorizedStatuses = UnauthorizedStatuses.of(unauthorizedStatuses);
		this.apiHeaders = apiHeaders;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		// A usable token is taken synchronously: the hot path builds no Reactor stage to wait for it.
		ManagedToken usable = this.tokenManager.usableToken(this.registrationId);
		if (usable != null) {
			return send(request, next, usable);
		}
		return this.tokenManager.awaitToken(this.registrationId).flatMap((token) -> send(request, next, token));
	}

	private Mono<ClientResponse> send(ClientRequest request, ExchangeFunction next, ManagedToken token) {
		return next.exchange(withToken(request, token))
			.flatMap((response) -> rejected(response) ? retry(request, next, response, token) : Mono.just(response));
	}

	/**
	 * Sends the request once more with the rejected token's replacement. The rejection's body is read for the
	 * log only once a replacement is known: a rejection the engine does not renew goes back to the caller whole.
	 */
	private Mono<ClientResponse> retry(ClientRequest request, ExchangeFunction next, ClientResponse rejection,
			ManagedToken rejected) {
		int status = rejection.statusCode().value();
		return this.tokenManager.replaceRejected(this.registrationId, rejected)
			.onErrorResume((ex) -> rejection.releaseBody().then(Mono.error(ex)))
			.flatMap((token) -> BodyBytes
				.of(DataBufferUtils.join(DataBufferUtils
					.takeUntilByteCount(rejection.body(BodyExtractors.toDataBuffers()), ApiRejection.MAX_BODY_BYTES)))
				.doOnNext((body) -> logRejection(ApiRejection.read(status, body)))
				.then(next.exchange(withToken(request, token)))
				.doOnNext((response) -> this.tokenManager.recordUnauthorizedRetry(this.registrationId,
						!rejected(response)))
				.doOnError((ex) -> this.tokenManager.recordUnauthorizedRetry(this.registrationId, false)))
			.switchIfEmpty(Mono.just(rejection));
	}

	private void logRejection(ApiRejection rejection) {
		if (logger.isInfoEnabled()) {
			logger.info("The API of provider '" + this.registrationId + "' rejected its token: "
					+ rejection.describe() + "; retrying once with a renewed token");
		}
	}

	private boolean rejected(ClientResponse response) {
		return this.unauthorizedStatuses.contains(response.statusCode().value());
	}

	private ClientRequest withToken(ClientRequest request, ManagedToken token) {
		return ClientRequest.from(request).headers((headers) -> {
			if (!this.apiHeaders.isEmpty()) {
				this.apiHeaders.forEach((name, value) -> {
					if (!headers.containsHeader(name)) {
						headers.set(name, value);
					}
				});
			}
			headers.set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
		}).build();
	}

}
