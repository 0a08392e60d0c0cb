package dev.tokenstarter.sample.provider;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A Pagstar-like token endpoint: {@code client_credentials} only, client id and secret in the body (form, or JSON
 * as Pagstar's current reference sends it), an answer with {@code expires_in}, {@code refresh_expires_in: 0} and
 * no refresh token, so every renewal is a new token request.
 */
class PagstarDialect {

	static final String NAME = "pagstar";

	private static final ParameterizedTypeReference<Map<String, String>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	private final DemoTokens tokens;

	private final DemoFaults faults;

	PagstarDialect(DemoTokens tokens, DemoFaults faults) {
		this.tokens = tokens;
		this.faults = faults;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.POST("/oauth/token", (request) -> this.faults.apply(token(request)))
			.build();
	}

	private Mono<ServerResponse> token(ServerRequest request) {
		return body(request).flatMap((body) -> {
			if (!"client_credentials".equals(body.get("grant_type"))) {
				return OAuth2Answers.error(HttpStatus.BAD_REQUEST, "unsupported_grant_type",
						"only client_credentials is supported");
			}
			if (!ClientCredentials.of(request.headers().asHttpHeaders(), body).present()) {
				return OAuth2Answers.error(HttpStatus.UNAUTHORIZED, "invalid_client", "client_id and client_secret are required");
			}
			return OAuth2Answers.token(this.tokens.issue(NAME, false), Map.of("refresh_expires_in", 0));
		});
	}

	private static Mono<Map<String, String>> body(ServerRequest request) {
		boolean json = request.headers()
			.contentType()
			.map(MediaType.APPLICATION_JSON::isCompatibleWith)
			.orElse(false);
		return json ? request.bodyToMono(JSON_OBJECT).defaultIfEmpty(Map.of()) : OAuth2Answers.form(request);
	}

}
