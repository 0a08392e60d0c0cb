package dev.tokenstarter.sample.provider;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The demo provider's control panel: {@code POST /demo/fail}, {@code /demo/slow}, {@code /demo/recover},
 * {@code /demo/revoke-all}, and {@code GET /demo/stats} with the mode, the counts per dialect and per signed-in user (with the user's
 * access tokens still valid).
 */
class DemoControl {

	private final DemoTokens tokens;

	private final DemoFaults faults;

	private final DemoCounters counters;

	DemoControl(DemoTokens tokens, DemoFaults faults, DemoCounters counters) {
		this.tokens = tokens;
		this.faults = faults;
		this.counters = counters;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.POST("/demo/fail", (request) -> mode(DemoFaults.Mode.FAILING))
			.POST("/demo/slow", (request) -> mode(DemoFaults.Mode.SLOW))
			.POST("/demo/recover", (request) -> mode(DemoFaults.Mode.NORMAL))
			.POST("/demo/revoke-all", (request) -> {
				this.tokens.revokeAll();
				return stats();
			})
			.GET("/demo/stats", (request) -> stats())
			.build();
	}

	private Mono<ServerResponse> mode(DemoFaults.Mode mode) {
		this.faults.set(mode);
		return stats();
	}

	private Mono<ServerResponse> stats() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("mode", this.faults.mode().name().toLowerCase());
		body.put("tokenLifetimeSeconds", this.tokens.tokenLifetime().toSeconds());
		body.put("dialects", this.counters.snapshot());
		Map<String, Map<String, Long>> users = this.counters.users();
		users.forEach((user, counts) -> counts.put("activeTokens", this.tokens.activeTokens(user)));
		body.put("users", users);
		return ServerResponse.ok().bodyValue(body);
	}

}
