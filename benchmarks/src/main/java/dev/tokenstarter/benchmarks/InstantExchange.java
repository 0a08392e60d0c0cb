package dev.tokenstarter.benchmarks;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;

/**
 * {@code WebClient}s whose exchange answers 200 at once without any I/O, so a call costs only what the client
 * and its filters do on the caller's side.
 */
final class InstantExchange {

	private InstantExchange() {
	}

	static WebClient client(ExchangeFilterFunction... filters) {
		return WebClient.builder()
			.exchangeFunction((request) -> Mono.just(ClientResponse.create(HttpStatus.OK).build()))
			.filters((chain) -> chain.addAll(List.of(filters)))
			.build();
	}

	/**
	 * The measured call, the same for every case.
	 */
	static ResponseEntity<Void> call(WebClient client) {
		return client.get().uri(Fixture.API).retrieve().toBodilessEntity().block();
	}

	/**
	 * The measured call of a key's token: the key named in a request attribute, as an application names it.
	 */
	static ResponseEntity<Void> call(WebClient client, TokenKey key) {
		return client.get()
			.uri(Fixture.API)
			.attribute(TokenKeyAttributes.TOKEN_KEY, key)
			.retrieve()
			.toBodilessEntity()
			.block();
	}

	/**
	 * Sends one request through the filter and returns the {@code Authorization} header that left it.
	 */
	static String authorizationSent(ExchangeFilterFunction filter) {
		AtomicReference<String> sent = new AtomicReference<>();
		call(client(filter, recorder(sent)));
		return sent.get();
	}

	/**
	 * Sends one request for a key's token through the filter and returns the {@code Authorization} header that
	 * left it.
	 */
	static String authorizationSent(ExchangeFilterFunction filter, TokenKey key) {
		AtomicReference<String> sent = new AtomicReference<>();
		call(client(filter, recorder(sent)), key);
		return sent.get();
	}

	private static ExchangeFilterFunction recorder(AtomicReference<String> sent) {
		return (request, next) -> {
			sent.set(request.headers().getFirst(HttpHeaders.AUTHORIZATION));
			return next.exchange(request);
		};
	}

}
