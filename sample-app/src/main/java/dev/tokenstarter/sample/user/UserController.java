package dev.tokenstarter.sample.user;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebSession;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.user.ReactiveUserTokens;
import dev.tokenstarter.user.SignInRequiredException;

/**
 * The user's side of the sample: {@code POST /user/sign-in} (the login page's form) signs the user in to the
 * password-grant provider and remembers who signed in in the web session; {@code GET /user/me} is the user's token
 * card (masked: a fingerprint of the token, never the token); {@code POST /user/call} calls the provider's API as
 * the user; {@code POST /user/sign-out} signs out, which revokes the user's token at the provider.
 *
 * <p>The web session holds the user's name only; the password stays in the starter's memory of this instance and
 * the token in its store, where any instance of a fleet finds it.
 */
@RestController
class UserController {

	static final String USER = UserController.class.getName() + ".user";

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private static final URI STATUS_PAGE = URI.create("/");

	private static final URI LOGIN_FAILED = URI.create("/login.html?error");

	private final ReactiveUserTokens users;

	private final TokenManager tokens;

	private final WebClient api;

	private final DemoUserProperties properties;

	UserController(ReactiveUserTokens users, TokenManager tokens, TokenClients clients,
			DemoUserProperties properties) {
		this.users = users;
		this.tokens = tokens;
		this.api = clients.webClient(properties.getProvider());
		this.properties = properties;
	}

	@PostMapping(path = "/user/sign-in", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
	Mono<ResponseEntity<Void>> signIn(ServerWebExchange exchange) {
		return exchange.getFormData().flatMap((form) -> {
			String username = form.getFirst("username");
			String password = form.getFirst("password");
			if (isBlank(username) || isBlank(password)) {
				return Mono.just(redirect(LOGIN_FAILED));
			}
			return this.users.signIn(this.properties.getProvider(), username, password)
				.then(exchange.getSession())
				// A new session id at sign-in, so an id planted before it cannot ride on the user's login.
				.flatMap((session) -> session.changeSessionId().thenReturn(session))
				.map((session) -> {
					session.getAttributes().put(USER, username);
					return redirect(STATUS_PAGE);
				})
				.onErrorResume(TokenAcquisitionException.class, (ex) -> Mono.just(redirect(LOGIN_FAILED)));
		});
	}

	@GetMapping("/user/me")
	Mono<ResponseEntity<Map<String, Object>>> me(WebSession session) {
		String username = session.getAttribute(USER);
		if (username == null) {
			return Mono.just(signedOut());
		}
		return this.tokens.token(key(username))
			.map((token) -> ResponseEntity.ok(card(username, token)))
			.onErrorResume(SignInRequiredException.class, (ex) -> forget(session));
	}

	@PostMapping("/user/call")
	Mono<ResponseEntity<Map<String, Object>>> call(WebSession session) {
		String username = session.getAttribute(USER);
		if (username == null) {
			return Mono.just(signedOut());
		}
		return this.api.get()
			.uri(this.properties.getPath())
			.attributes(TokenKeyAttributes.tokenKey(key(username)))
			.retrieve()
			.bodyToMono(JSON)
			.map(ResponseEntity::ok)
			.onErrorResume(SignInRequiredException.class, (ex) -> forget(session))
			.onErrorResume(WebClientResponseException.class,
					(ex) -> Mono.just(ResponseEntity.status(HttpStatus.BAD_GATEWAY)
						.body(Map.of("status", ex.getStatusCode().value()))));
	}

	@PostMapping("/user/sign-out")
	Mono<ResponseEntity<Void>> signOut(WebSession session) {
		String username = session.getAttribute(USER);
		Mono<Void> signOut = (username != null) ? this.users.signOut(this.properties.getProvider(), username)
				: Mono.empty();
		return signOut.then(session.invalidate()).thenReturn(redirect(STATUS_PAGE));
	}

	private TokenKey key(String username) {
		return this.users.key(this.properties.getProvider(), username);
	}

	private Map<String, Object> card(String username, ManagedToken token) {
		OAuth2AccessToken accessToken = token.accessToken();
		Map<String, Object> card = new LinkedHashMap<>();
		card.put("user", username);
		card.put("provider", this.properties.getProvider());
		card.put("token", "••••••••");
		card.put("fingerprint", fingerprint(accessToken.getTokenValue()));
		card.put("issuedAt", accessToken.getIssuedAt());
		card.put("expiresAt", accessToken.getExpiresAt());
		card.put("nextRefresh", token.staleAt());
		card.put("passwordHeldHere", this.users.holdsCredentials(this.properties.getProvider(), username));
		return card;
	}

	/**
	 * The provider refused the user's token and nobody here can sign the user in again: the page shows the
	 * login link again.
	 */
	private static <T> Mono<ResponseEntity<T>> forget(WebSession session) {
		session.getAttributes().remove(USER);
		return Mono.just(signedOut());
	}

	private static <T> ResponseEntity<T> signedOut() {
		return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
	}

	private static ResponseEntity<Void> redirect(URI location) {
		return ResponseEntity.status(HttpStatus.SEE_OTHER).location(location).build();
	}

	/**
	 * The first 8 bytes of the token's SHA-256: enough to see the token change at a renewal, nothing to call an
	 * API with.
	 */
	static String fingerprint(String tokenValue) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(tokenValue.getBytes(StandardCharsets.UTF_8));
			return "sha256:" + HexFormat.of().formatHex(hash, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

}
