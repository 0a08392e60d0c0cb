package dev.tokenstarter.client;

import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;

/**
 * Puts a provider's token on every {@code WebClient} request. When the API answers with one of the provider's
 * unauthorized statuses, the rejected token is renewed and the request sent once more; a second rejection is
 * returned to the caller as it is.
 */
public class TokenExchangeFilterFunction implements ExchangeFilterFunction {

	private final TokenManager tokenManager;

	private final String registrationId;

	private final Set<Integer> unauthorizedStatuses;

	public TokenExchangeFilterFunction(TokenManager tokenManager, String registrationId,
			Set<Integer> unauthorizedStatuses) {
		this.tokenManager = tokenManager;
		this.registrationId = registrationId;
		this.unauthorizedStatuses = unauthorizedStatuses;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return this.tokenManager.token(this.registrationId)
			.flatMap((token) -> next.exchange(withToken(request, token))
				.flatMap((response) -> rejected(response) ? retry(request, next, response, token)
						: Mono.just(response)));
	}

	private Mono<ClientResponse> retry(ClientRequest request, ExchangeFunction next, ClientResponse rejection,
			ManagedToken rejected) {
		return rejection.releaseBody()
			.then(this.tokenManager.renewRejected(this.registrationId, rejected))
			.flatMap((token) -> next.exchange(withToken(request, token)))
			.doOnNext((response) -> this.tokenManager.recordUnauthorizedRetry(this.registrationId, !rejected(response)))
			.doOnError((ex) -> this.tokenManager.recordUnauthorizedRetry(this.registrationId, false));
	}

	private boolean rejected(ClientResponse response) {
		return this.unauthorizedStatuses.contains(response.statusCode().value());
	}

	private static ClientRequest withToken(ClientRequest request, ManagedToken token) {
		return ClientRequest.from(request)
			.headers((headers) -> headers.set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue()))
			.build();
	}

}
