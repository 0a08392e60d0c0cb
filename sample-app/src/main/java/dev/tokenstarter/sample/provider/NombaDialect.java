package dev.tokenstarter.sample.provider;

import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Nomba's token endpoints: JSON requests with the {@code accountId} header, answers in the
 * {@code {"code":"00","description":…,"data":{…}}} envelope with an ISO-8601 {@code expiresAt}.
 */
class NombaDialect {

	static final String NAME = "nomba";

	static final String ACCOUNT_ID = "accountId";

	private static final ParameterizedTypeReference<Map<String, String>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	private final DemoTokens tokens;

	private final DemoFaults faults;

	NombaDialect(DemoTokens tokens, DemoFaults faults) {
		this.tokens = tokens;
		this.faults = faults;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.POST("/v1/auth/token/issue", (request) -> this.faults.apply(issue(request)))
			.POST("/v1/auth/token/refresh", (request) -> this.faults.apply(refresh(request)))
			.POST("/v1/auth/token/revoke", this::revoke)
			.build();
	}

	private Mono<ServerResponse> issue(ServerRequest request) {
		return body(request).flatMap((body) -> {
			if (!hasAccountId(request)) {
				return envelope(HttpStatus.BAD_REQUEST, "03", "accountId header is required", null);
			}
			if (!"client_credentials".equals(body.get("grant_type"))
					|| !ClientCredentials.of(request.headers().asHttpHeaders(), body).present()) {
				return envelope(HttpStatus.UNAUTHORIZED, "01", "Invalid client credentials", null);
			}
			return success(this.tokens.issue(NAME, true));
		});
	}

	private Mono<ServerResponse> refresh(ServerRequest request) {
		return body(request).flatMap((body) -> {
			String refreshToken = body.get("refresh_token");
			if (!hasAccountId(request) || refreshToken == null) {
				return envelope(HttpStatus.BAD_REQUEST, "03", "accountId header and refresh_token are required", null);
			}
			return this.tokens.refresh(NAME, refreshToken)
				.map(this::success)
				.orElseGet(() -> envelope(HttpStatus.BAD_REQUEST, "02", "Refresh token expired or revoked", null));
		});
	}

	private Mono<ServerResponse> revoke(ServerRequest request) {
		return body(request).flatMap((body) -> {
			String accessToken = body.get("access_token");
			if (accessToken != null) {
				this.tokens.revoke(accessToken);
			}
			return envelope(HttpStatus.OK, "00", "Success", null);
		});
	}

	private Mono<ServerResponse> success(DemoTokens.Issued issued) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("businessId", "demo-business");
		data.put("access_token", issued.accessToken());
		data.put("refresh_token", issued.refreshToken());
		data.put("expiresAt", issued.expiresAt().atOffset(ZoneOffset.UTC).toString());
		return envelope(HttpStatus.OK, "00", "Success", data);
	}

	private static Mono<ServerResponse> envelope(HttpStatus status, String code, String description,
			@Nullable Map<String, Object> data) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("code", code);
		envelope.put("description", description);
		if (data != null) {
			envelope.put("data", data);
		}
		return ServerResponse.status(status).bodyValue(envelope);
	}

	private static Mono<Map<String, String>> body(ServerRequest request) {
		return request.bodyToMono(JSON_OBJECT).defaultIfEmpty(Map.of());
	}

	private static boolean hasAccountId(ServerRequest request) {
		String accountId = request.headers().firstHeader(ACCOUNT_ID);
		return accountId != null && !accountId.isBlank();
	}

}
