package dev.tokenstarter.sample.provider;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * WSO2 API Manager's key manager: the password grant (for the demo users when there are some), single-use
 * (rotating) refresh tokens, and RFC 7009 revocation that answers 200 whatever the token.
 */
class Wso2Dialect {

	static final String NAME = "wso2";

	private final DemoTokens tokens;

	private final DemoFaults faults;

	private final Map<String, String> users;

	/**
	 * @param users the demo users and their passwords; when empty, any non-blank username and password sign in
	 */
	Wso2Dialect(DemoTokens tokens, DemoFaults faults, Map<String, String> users) {
		this.tokens = tokens;
		this.faults = faults;
		this.users = Map.copyOf(users);
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.POST("/oauth2/token", (request) -> this.faults.apply(token(request)))
			.POST("/oauth2/revoke", this::revoke)
			.build();
	}

	private Mono<ServerResponse> token(ServerRequest request) {
		return OAuth2Answers.form(request).flatMap((form) -> {
			if (!ClientCredentials.of(request.headers().asHttpHeaders(), form).present()) {
				return OAuth2Answers.error(HttpStatus.UNAUTHORIZED, "invalid_client", "Client Authentication failed.");
			}
			String grantType = String.valueOf(form.get("grant_type"));
			return switch (grantType) {
				case "password" -> password(form);
				case "refresh_token" -> refresh(form);
				default -> OAuth2Answers.error(HttpStatus.BAD_REQUEST, "unsupported_grant_type",
						"Unsupported grant_type value");
			};
		});
	}

	private Mono<ServerResponse> password(Map<String, String> form) {
		String username = form.get("username");
		String password = form.get("password");
		if (isBlank(username) || isBlank(password)
				|| (!this.users.isEmpty() && !password.equals(this.users.get(username)))) {
			return OAuth2Answers.error(HttpStatus.BAD_REQUEST, "invalid_grant",
					"Authentication failed for the resource owner");
		}
		return OAuth2Answers.token(this.tokens.issue(NAME, username), Map.of("scope", scope(form)));
	}

	private Mono<ServerResponse> refresh(Map<String, String> form) {
		String refreshToken = form.get("refresh_token");
		return this.tokens.refresh(NAME, (refreshToken != null) ? refreshToken : "")
			.map((issued) -> OAuth2Answers.token(issued, Map.of("scope", scope(form))))
			.orElseGet(() -> OAuth2Answers.error(HttpStatus.BAD_REQUEST, "invalid_grant",
					"Persisted access token data not found"));
	}

	private Mono<ServerResponse> revoke(ServerRequest request) {
		return OAuth2Answers.form(request).flatMap((form) -> {
			String token = form.get("token");
			if (token != null) {
				this.tokens.revoke(token);
			}
			return ServerResponse.ok().build();
		});
	}

	private static String scope(Map<String, String> form) {
		String scope = form.get("scope");
		return isBlank(scope) ? "default" : scope;
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

}
