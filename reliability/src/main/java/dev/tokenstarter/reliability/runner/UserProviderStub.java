package dev.tokenstarter.reliability.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

import dev.tokenstarter.reliability.fleet.FleetUsers;

/**
 * A provider of users' tokens as strict as Keycloak with refresh token rotation (maximum reuse 0): the password
 * grant opens a session for the user; each refresh answers a new access token and a new refresh token and spends
 * the one presented; a spent refresh token presented again is a reuse, refused, and it ends the user's session:
 * the session's access tokens stop working and its current refresh token is refused from then on. It counts
 * password grants, refresh requests and reuses per user, and alone decides whether an access token is valid
 * (issued, its session live, not expired by the machine's clock) and for which user's resource
 * ({@code /resource/<user>}). Same client credentials as {@link ProviderStub}. Every grant is also logged (when,
 * which, whose, how it ended; never a token) for reading a failed run against the instances' logs.
 *
 * <p>The benchmarks' {@code UserProviderStub} is the same provider in one JVM; this one keeps its counts per user
 * and in the runner's millisecond clock, as experiment 8's verdicts need.
 */
final class UserProviderStub implements ApiStub.TokenCheck, AutoCloseable {

	private static final String CREDENTIALS = "Basic " + Base64.getEncoder()
		.encodeToString((ProviderStub.CLIENT_ID + ":" + ProviderStub.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));

	/**
	 * A token endpoint's round trip of a real provider's order, so two instances' refreshes of one user can reach
	 * it together as they would at a real one.
	 */
	private static final Duration ROUND_TRIP = Duration.ofMillis(50);

	private final HttpServer server;

	private final ExecutorService executor = Executors.newFixedThreadPool(16);

	private final Duration lifetime;

	private final AtomicInteger serials = new AtomicInteger();

	private final Map<String, Access> accessTokens = new ConcurrentHashMap<>();

	/** Every refresh token issued, live or spent. */
	private final Map<String, Refresh> refreshTokens = new ConcurrentHashMap<>();

	private final Map<String, Counts> counts = new ConcurrentHashMap<>();

	/** When each user's first password grant was answered. */
	private final Map<String, Long> firstPasswordGrantMillis = new ConcurrentHashMap<>();

	private final List<String> log = new CopyOnWriteArrayList<>();

	UserProviderStub(Duration lifetime) throws IOException {
		this.lifetime = lifetime;
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
		this.server.createContext("/token", this::token);
		this.server.setExecutor(this.executor);
		this.server.start();
	}

	String tokenUri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/token";
	}

	@Override
	public int validSerial(String token, String path, long nowMillis) {
		Access access = this.accessTokens.get(token);
		if (access == null || !access.session().live || nowMillis >= access.expiresMillis()
				|| !path.equals("/resource/" + access.session().user)) {
			return -1;
		}
		return access.serial();
	}

	/**
	 * Password grants, refresh requests and reused refresh tokens, per user who asked for any.
	 */
	Map<String, Counts> counts() {
		return Map.copyOf(this.counts);
	}

	/**
	 * One line per grant: {@code <epoch millis> <grant> <user> <outcome>}, in the order answered.
	 */
	List<String> log() {
		return List.copyOf(this.log);
	}

	/**
	 * When the first password grant of a user whose name starts with {@code prefix} was answered, or 0.
	 */
	long firstPasswordGrantMillis(String prefix) {
		return this.firstPasswordGrantMillis.entrySet()
			.stream()
			.filter((user) -> user.getKey().startsWith(prefix))
			.mapToLong(Map.Entry::getValue)
			.min()
			.orElse(0);
	}

	private void token(HttpExchange exchange) throws IOException {
		Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
		Polling.pause(ROUND_TRIP);
		if (!CREDENTIALS.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			respond(exchange, 401, "{\"error\":\"invalid_client\"}");
			return;
		}
		switch (String.valueOf(form.get("grant_type"))) {
			case "password" -> password(exchange, form.get("username"), form.get("password"));
			case "refresh_token" -> refresh(exchange, form.get("refresh_token"));
			default -> respond(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
		}
	}

	private void password(HttpExchange exchange, @Nullable String username, @Nullable String password) {
		if (username == null || !FleetUsers.password(username).equals(password)) {
			respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
			return;
		}
		this.firstPasswordGrantMillis.putIfAbsent(username, System.currentTimeMillis());
		counts(username).passwordGrants.incrementAndGet();
		log("password", username, "issued");
		respond(exchange, 200, issue(new Session(username)));
	}

	private void refresh(HttpExchange exchange, @Nullable String refreshToken) {
		Refresh presented = (refreshToken != null) ? this.refreshTokens.get(refreshToken) : null;
		String body = null;
		if (presented != null) {
			Session session = presented.session();
			Counts counts = counts(session.user);
			counts.refreshes.incrementAndGet();
			// Read again under the session's monitor: two refreshes racing with one token must see each other.
			synchronized (session) {
				if (this.refreshTokens.get(refreshToken).spent()) {
					counts.reused.incrementAndGet();
					session.live = false;
					log("refresh", session.user, "reused");
				}
				else if (session.live) {
					this.refreshTokens.put(refreshToken, new Refresh(session, true));
					body = issue(session);
					log("refresh", session.user, "issued");
				}
				else {
					log("refresh", session.user, "session-ended");
				}
			}
		}
		if (body == null) {
			respond(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token is not active\"}");
			return;
		}
		respond(exchange, 200, body);
	}

	private String issue(Session session) {
		int serial = this.serials.incrementAndGet();
		String accessToken = "rel" + serial + "-" + random();
		String refreshToken = "refresh" + serial + "-" + random();
		this.accessTokens.put(accessToken,
				new Access(serial, session, System.currentTimeMillis() + this.lifetime.toMillis()));
		this.refreshTokens.put(refreshToken, new Refresh(session, false));
		return "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + ",\"refresh_token\":\"" + refreshToken + "\"}";
	}

	private void log(String grant, String user, String outcome) {
		this.log.add(System.currentTimeMillis() + " " + grant + " " + user + " " + outcome);
	}

	private Counts counts(String user) {
		return this.counts.computeIfAbsent(user, (name) -> new Counts());
	}

	private static String random() {
		byte[] bytes = new byte[16];
		ThreadLocalRandom.current().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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

	private static void respond(HttpExchange exchange, int status, String json) {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.getResponseHeaders().set("Cache-Control", "no-store");
		try (OutputStream out = exchange.getResponseBody()) {
			exchange.sendResponseHeaders(status, body.length);
			out.write(body);
		}
		catch (IOException clientGone) {
			// An instance stopped while its request was answered: nothing in the verdicts depends on delivery.
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	/**
	 * One user's requests.
	 */
	static final class Counts {

		final AtomicInteger passwordGrants = new AtomicInteger();

		final AtomicInteger refreshes = new AtomicInteger();

		final AtomicInteger reused = new AtomicInteger();

	}

	/**
	 * A user's session: one per password grant, ended by a reused refresh token.
	 */
	private static final class Session {

		final String user;

		volatile boolean live = true;

		Session(String user) {
			this.user = user;
		}

	}

	private record Access(int serial, Session session, long expiresMillis) {
	}

	private record Refresh(Session session, boolean spent) {
	}

}
