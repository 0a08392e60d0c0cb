package dev.tokenstarter.sample.provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The protected API: {@code GET /api/**} answers only with a valid bearer token, and with a WSO2 gateway's
 * {@code 401 {"code":"900901",…}} for an expired, revoked or unknown one. Its answer names the user a user's
 * token was issued to. Calls with a Nomba token must also carry Nomba's {@code accountId} header.
 */
class DemoApi {

	private static final String BEARER = "Bearer ";

	private final DemoTokens tokens;

	private final DemoCounters counters;

	DemoApi(DemoTokens tokens, DemoCounters counters) {
		this.tokens = tokens;
		this.counters = counters;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route().GET("/api/**", this::call).build();
	}

	private Mono<ServerResponse> call(ServerRequest request) {
		Optional<DemoTokens.Bearer> bearer = this.tokens.validate(bearerToken(request));
		if (bearer.isEmpty()) {
			return rejected();
		}
		String dialect = bearer.get().dialect();
		DemoCounters.Dialect counts = this.counters.of(dialect);
		if (NombaDialect.NAME.equals(dialect) && request.headers().firstHeader(NombaDialect.ACCOUNT_ID) == null) {
			counts.apiRejected();
			return rejected();
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("dialect", dialect);
		String user = bearer.get().user();
		if (user != null) {
			body.put("user", user);
			this.counters.user(user).apiCall();
		}
		body.put("path", request.path());
		body.put("call", counts.apiCall());
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

	private Mono<ServerResponse> rejected() {
		return ServerResponse.status(HttpStatus.UNAUTHORIZED)
			.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("code", "900901", "message", "Invalid Credentials", "description",
					"Invalid Credentials. Make sure you have provided the correct security credentials"));
	}

	private static @Nullable String bearerToken(ServerRequest request) {
		String authorization = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		return authorization.substring(BEARER.length()).trim();
	}

}
