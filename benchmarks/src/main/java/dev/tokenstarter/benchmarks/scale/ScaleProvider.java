package dev.tokenstarter.benchmarks.scale;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The provider and the protected API in one HTTP server, strict as a real pair is: the token endpoint issues a
 * new token only to a {@code POST} of a form with {@code grant_type=client_credentials} and the client's own
 * credentials in HTTP Basic, after a delay like a real round trip, and refuses (and counts) anything else; the
 * API answers 200 only to a bearer token the provider issued, has not revoked and that has not expired by the
 * provider's clock. {@link #revokeAll()} revokes every token at once, so every instance's next call gets a 401
 * at the same moment.
 */
final class ScaleProvider implements AutoCloseable {

	static final String CLIENT_ID = "scale-client";

	static final String CLIENT_SECRET = "scale-secret";

	private static final String BASIC = "Basic " + Base64.getEncoder()
		.encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));

	private static final String BEARER = "Bearer ";

	private final HttpServer server;

	private final ExecutorService executor;

	private final Duration lifetime;

	private final Duration delay;

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger refused = new AtomicInteger();

	private final AtomicLong accepted = new AtomicLong();

	private final AtomicLong rejected = new AtomicLong();

	private final List<Issue> issues = new CopyOnWriteArrayList<>();

	private final Map<String, Long> expiryNanos = new ConcurrentHashMap<>();

	private ScaleProvider(HttpServer server, ExecutorService executor, Duration lifetime, Duration delay) {
		this.server = server;
		this.executor = executor;
		this.lifetime = lifetime;
		this.delay = delay;
	}

	static ScaleProvider start(Duration lifetime, Duration delay, int threads) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
		// Enough threads that a duplicate token request is served and counted rather than queued behind the
		// first, and that hundreds of API calls at one moment are not a run queue of the stub's own.
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		ScaleProvider provider = new ScaleProvider(server, executor, lifetime, delay);
		server.createContext("/token", provider::issue);
		server.createContext("/resource", provider::answer);
		server.setExecutor(executor);
		server.start();
		return provider;
	}

	String baseUrl() {
		InetSocketAddress address = this.server.getAddress();
		return "http://" + address.getHostString() + ":" + address.getPort();
	}

	/** Token requests the provider answered with a token. */
	int requests() {
		return this.requests.get();
	}

	/** Token requests the provider refused as malformed or unauthenticated: must stay 0. */
	int refused() {
		return this.refused.get();
	}

	long accepted() {
		return this.accepted.get();
	}

	long rejected() {
		return this.rejected.get();
	}

	/**
	 * Returns the tokens issued so far, in the order they were issued.
	 */
	List<Issue> issues() {
		return List.copyOf(this.issues);
	}

	/**
	 * Revokes every token issued so far: the API rejects them from now on.
	 */
	void revokeAll() {
		this.expiryNanos.clear();
	}

	private void issue(HttpExchange exchange) throws IOException {
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
		if (!"POST".equals(exchange.getRequestMethod()) || contentType == null
				|| !contentType.startsWith("application/x-www-form-urlencoded")) {
			refuse(exchange, 400, "invalid_request");
			return;
		}
		if (!BASIC.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			refuse(exchange, 401, "invalid_client");
			return;
		}
		if (!"client_credentials".equals(form(body).get("grant_type"))) {
			refuse(exchange, 400, "unsupported_grant_type");
			return;
		}
		int number = this.requests.incrementAndGet();
		pause(this.delay);
		String token = "scale-token-" + number;
		long issued = System.nanoTime();
		this.expiryNanos.put(token, issued + this.lifetime.toNanos());
		this.issues.add(new Issue(token, issued));
		send(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + "}");
	}

	private void answer(HttpExchange exchange) throws IOException {
		exchange.getRequestBody().readAllBytes();
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		Long expiry = (authorization != null && authorization.startsWith(BEARER))
				? this.expiryNanos.get(authorization.substring(BEARER.length())) : null;
		boolean valid = expiry != null && System.nanoTime() - expiry < 0;
		(valid ? this.accepted : this.rejected).incrementAndGet();
		if (!valid) {
			exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
		}
		exchange.sendResponseHeaders(valid ? 200 : 401, -1);
		exchange.close();
	}

	private void refuse(HttpExchange exchange, int status, String error) throws IOException {
		this.refused.incrementAndGet();
		send(exchange, status, "{\"error\":\"" + error + "\"}");
	}

	private static void send(HttpExchange exchange, int status, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
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

	private static void pause(Duration delay) {
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
	 * A token the provider issued and when, on {@link System#nanoTime()}.
	 */
	record Issue(String token, long issuedNanos) {
	}

}
