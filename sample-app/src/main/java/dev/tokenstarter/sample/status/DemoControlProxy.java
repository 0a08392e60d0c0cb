package dev.tokenstarter.sample.status;

import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Forwards the status page's buttons to the demo provider's control endpoints ({@code POST /demo/fail},
 * {@code slow}, {@code recover}, {@code revoke-all}; {@code GET /demo/stats}). The provider may run in another
 * instance of the fleet, so the page talks to its own application, which knows where the provider is.
 */
class DemoControlProxy {

	private static final Set<String> ACTIONS = Set.of("fail", "slow", "recover", "revoke-all");

	private final WebClient provider;

	DemoControlProxy(WebClient provider) {
		this.provider = provider;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.POST("/demo/{action}", this::control)
			.GET("/demo/stats", (request) -> forward(this.provider.get().uri("/demo/stats")))
			.build();
	}

	private Mono<ServerResponse> control(ServerRequest request) {
		String action = request.pathVariable("action");
		if (!ACTIONS.contains(action)) {
			return ServerResponse.notFound().build();
		}
		return forward(this.provider.post().uri("/demo/{action}", action));
	}

	private static Mono<ServerResponse> forward(WebClient.RequestHeadersSpec<?> request) {
		return request.retrieve()
			.bodyToMono(String.class)
			.flatMap((body) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body));
	}

}
