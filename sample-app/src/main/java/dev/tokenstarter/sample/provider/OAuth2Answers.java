package dev.tokenstarter.sample.provider;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * RFC 6749 token answers and form bodies, shared by the form-based dialects.
 */
final class OAuth2Answers {

	private OAuth2Answers() {
	}

	static Mono<ServerResponse> token(DemoTokens.Issued issued, Map<String, Object> extra) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("access_token", issued.accessToken());
		body.put("token_type", "Bearer");
		body.put("expires_in", issued.expiresIn());
		if (issued.refreshToken() != null) {
			body.put("refresh_token", issued.refreshToken());
		}
		body.putAll(extra);
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

	static Mono<ServerResponse> error(HttpStatus status, String error, String description) {
		return ServerResponse.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("error", error, "error_description", description));
	}

	/** Reads a form body into single values: token requests never repeat a parameter. */
	static Mono<Map<String, String>> form(ServerRequest request) {
		return request.formData().map(MultiValueMap::toSingleValueMap);
	}

}
