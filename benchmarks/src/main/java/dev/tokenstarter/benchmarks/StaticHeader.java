package dev.tokenstarter.benchmarks;

import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * The floor: the least any token filter can cost, a constant {@code Authorization} header written the way an
 * application would write it by hand.
 */
final class StaticHeader {

	private StaticHeader() {
	}

	static ExchangeFilterFunction exchangeFilter() {
		return (request, next) -> next
			.exchange(ClientRequest.from(request).header(HttpHeaders.AUTHORIZATION, Fixture.AUTHORIZATION).build());
	}

	static ClientHttpRequestInterceptor requestInterceptor() {
		return (request, body, execution) -> {
			request.getHeaders().set(HttpHeaders.AUTHORIZATION, Fixture.AUTHORIZATION);
			return execution.execute(request, body);
		};
	}

}
