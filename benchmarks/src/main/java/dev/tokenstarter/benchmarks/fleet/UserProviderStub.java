package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

/**
 * A provider of user tokens as strict as Keycloak with refresh token rotation ({@code Revoke Refresh Token} on,
 * maximum reuse 0): the password grant opens a session for the user, each refresh answers a new access token and a
 * new refresh token and spends the one presented, and a spent refresh token presented again is a reuse: the
 * provider refuses it and ends the user's whole session (its access token and its current refresh token stop
 * working), as a stolen refresh token would call for. It counts every grant and every reuse; the harness's
 * verdicts come from these counts, not from what the engine says about itself.
 */
final class UserProviderStub implements ApiStub.BearerCheck, AutoCloseable {

	static final String CLIENT_ID = "user-fleet-client";

	static final String CLIENT_SECRET = "user-fleet-secret";

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final String BASIC = "Basic " + Base64.getEncoder()
		.encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));

	private final HttpServer server;

	private final ExecutorService executor;

	private volatile Duration lifetime;

	private volatile Duration delay;

	/** Live access tokens: the session they belong to and when they expire. */
	private final Map<String, Access> accessTokens = new ConcurrentHashMap<>();

	/** Every refresh token issued, live or spent, with its session. */
	private final Map<String, Refresh> refreshTokens = new ConcurrentHashMap<>();

	private final AtomicLong passwordGrants = new AtomicLong();

	private final AtomicLong refreshGrants = new AtomicLong();

	private final AtomicLong reusedRefreshTokens = new AtomicLong();

	private final AtomicLong refused = new AtomicLong();

	private final AtomicLong sessionsEnded = new AtomicLong();

	private UserProviderStub(HttpServer server, ExecutorService executor, Duration lifetime, Duration delay) {
		this.server = server;
		this.executor = executor;
		this.lifetime = lifetime;
		this.delay = delay;
	}

	static UserProviderStub start(Duration lifetime, Duration delay) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		// Enough threads that two instances' refreshes of one user reach the provider together, as they would
		// at a real one, instead of queueing behind each other.
		ExecutorService executor = Executors.newFixedThreadPool(8);
		UserProviderStub provider = new UserProviderStub(server, executor, lifetime, delay);
		server.createContext("/token", provider::token);
		server.setExecutor(executor);
		server.start();
		return provider;
	}

	/** The password every user signs in with: the provider checks it. */
	static String password(String username) {
		return username + "-password";
	}

	String tokenUri() {
		InetSocketAddress address = this.server.getAddress();
		return "http://" + address.getHostString() + ":" + address.getPort() + "/token";
	}

	/** Sets the round trip of the following token requests (none for the memory phase, which is not timed). */
	void delay(Duration delay) {
		this.delay = delay;
	}

	/**
	 * Sets the lifetime of the tokens issued from now on: long for the memory phase, so that none is renewed while
	 * the heap is read, which would count the renewal's tokens and this stub's records of them.
	 */
	void lifetime(Duration lifetime) {
		this.lifetime = lifetime;
	}

	long passwordGrants() {
		return this.passwordGrants.get();
	}

	long refreshGrants() {
		return this.refreshGrants.get();
	}

	long reusedRefreshTokens() {
		return this.reusedRefreshTokens.get();
	}

	long refused() {
		return this.refused.get();
	}

	long sessionsEnded() {
		return this.sessionsEnded.get();
	}

	/**
	 * A user's token is good for that user's resource only, {@code /resource/<user>}: a call made with another
	 * user's token is refused like an unknown one.
	 */
	@Override
	public boolean accepts(String token, String path, long nowNanos) {
		Access access = this.accessTokens.get(token);
		return access != null && nowNanos - access.expiresNanos() < 0 && access.session().live
				&& path.equals("/resource/" + access.session().user);
	}

	private void token(HttpExchange exchange) throws IOException {
		Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
		pause(this.delay);
		if (!clientAuthenticated(exchange, form)) {
			this.refused.incrementAndGet();
			answer(exchange, 401, "{\"error\":\"invalid_client\"}");
			return;
		}
		String grantType = String.valueOf(form.get("grant_type"));
		switch (grantType) {
			case "password" -> password(exchange, form);
			case "refresh_token" -> refresh(exchange, form.get("refresh_token"));
			default -> answer(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
		}
	}

	private void password(HttpExchange exchange, Map<String, String> form) throws IOException {
		String username = form.get("username");
		this.passwordGrants.incrementAndGet();
		if (username == null || !password(username).equals(form.get("password"))) {
			this.refused.incrementAndGet();
			answer(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid user credentials\"}");
			return;
		}
		answer(exchange, 200, issue(new Session(username)));
	}

	private void refresh(HttpExchange exchange, @Nullable String refreshToken) throws IOException {
		this.refreshGrants.incrementAndGet();
		Refresh presented = (refreshToken != null) ? this.refreshTokens.get(refreshToken) : null;
		String body = null;
		if (presented != null) {
			Session session = presented.session();
			// Read again under the session's monitor: two refreshes racing with one token must see each other.
			synchronized (session) {
				if (this.refreshTokens.get(refreshToken).spent()) {
					this.reusedRefreshTokens.incrementAndGet();
					if (session.live) {
						session.live = false;
						this.sessionsEnded.incrementAndGet();
					}
				}
				else if (session.live) {
					this.refreshTokens.put(refreshToken, new Refresh(session, true));
					body = issue(session);
				}
			}
		}
		if (body == null) {
			this.refused.incrementAndGet();
			answer(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token is not active\"}");
			return;
		}
		answer(exchange, 200, body);
	}

	private String issue(Session session) {
		String accessToken = randomToken();
		String refreshToken = randomToken();
		this.accessTokens.put(accessToken, new Access(session, System.nanoTime() + this.lifetime.toNanos()));
		this.refreshTokens.put(refreshToken, new Refresh(session, false));
		return "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + ",\"refresh_token\":\"" + refreshToken + "\",\"refresh_expires_in\":1800}";
	}

	private static boolean clientAuthenticated(HttpExchange exchange, Map<String, String> form) {
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		if (authorization != null) {
			return BASIC.equals(authorization);
		}
		return CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret"));
	}

	private static Map<String, String> form(String body) {
		Map<String, String> form = new HashMap<>();
		for (String pair : body.split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
						URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
		}
		return form;
	}

	private static void answer(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.getResponseHeaders().set("Cache-Control", "no-store");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	private static String randomToken() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static void pause(Duration delay) {
		if (delay.isZero()) {
			return;
		}
		try {
			Thread.sleep(delay.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	/**
	 * A user's session at the provider: one per password grant, ended by a refresh token reuse.
	 */
	private static final class Session {

		final String user;

		volatile boolean live = true;

		Session(String user) {
			this.user = user;
		}

	}

	private record Access(Session session, long expiresNanos) {
	}

	private record Refresh(Session session, boolean spent) {
	}

}
