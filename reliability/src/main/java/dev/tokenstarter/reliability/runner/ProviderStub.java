package dev.tokenstarter.reliability.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

/**
 * A strict token endpoint: checks the client's credentials, issues a new random token with a short lifetime to
 * every successful request, and is the one judge of whether a token is valid (issued, not expired by the
 * machine's clock, not revoked). Faults on demand: hold one response for a while, answer a share of requests with
 * 503 and a share slowly, revoke every token issued so far.
 */
final class ProviderStub implements ApiStub.TokenCheck, AutoCloseable {

	static final String CLIENT_ID = "fleet-client";

	static final String CLIENT_SECRET = "fleet-secret";

	private static final String CREDENTIALS = "Basic " + Base64.getEncoder()
		.encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));

	private static final Duration SLOW = Duration.ofSeconds(2);

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final Duration lifetime;

	private final AtomicInteger serials = new AtomicInteger();

	private final AtomicInteger revokedUpTo = new AtomicInteger();

	private final Map<String, Issued> tokens = new ConcurrentHashMap<>();

	private final List<Long> requestMillis = new CopyOnWriteArrayList<>();

	private final AtomicReference<@Nullable Duration> holdNext = new AtomicReference<>();

	private final AtomicLong heldArrivedMillis = new AtomicLong();

	private final AtomicInteger heldSerial = new AtomicInteger();

	private final AtomicInteger undelivered = new AtomicInteger();

	private final AtomicInteger failures = new AtomicInteger();

	private final AtomicInteger arrivals = new AtomicInteger();

	private volatile boolean flapping;

	ProviderStub(Duration lifetime) throws IOException {
		this.lifetime = lifetime;
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
		this.server.createContext("/token", this::token);
		this.server.setExecutor(this.executor);
		this.server.start();
	}

	String tokenUri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/token";
	}

	/**
	 * Holds the next token request's response for {@code duration} before answering it (experiment 1).
	 */
	void holdNext(Duration duration) {
		this.holdNext.set(duration);
	}

	/**
	 * Answers 30 % of the token requests with 503 (the 1st, 4th and 7th of every ten) and takes 2 s over 20 % of
	 * them (the 2nd of every five), in a fixed pattern so that even a short run meets both (experiment 6).
	 */
	void flap() {
		this.flapping = true;
	}

	/**
	 * Revokes every token issued so far (experiments 1 and 7).
	 * @return the serial number of the last token revoked
	 */
	int revokeAll() {
		int last = this.serials.get();
		this.revokedUpTo.set(last);
		return last;
	}

	/**
	 * The serial number of a token this provider still considers valid, or -1: the application's token is good for
	 * every resource.
	 */
	@Override
	public int validSerial(String token, String path, long nowMillis) {
		Issued issued = this.tokens.get(token);
		if (issued == null || issued.serial() <= this.revokedUpTo.get() || nowMillis >= issued.expiresMillis()) {
			return -1;
		}
		return issued.serial();
	}

	/**
	 * Whether any token valid at {@code millis} had been issued by then (revocations left aside).
	 */
	boolean hadValidTokenAt(long millis) {
		return this.tokens.values()
			.stream()
			.anyMatch((issued) -> issued.issuedMillis() <= millis && millis < issued.expiresMillis());
	}

	int requests() {
		return this.requestMillis.size();
	}

	/**
	 * Token requests that arrived in {@code [fromMillis, toMillis)}.
	 */
	long requestsBetween(long fromMillis, long toMillis) {
		return this.requestMillis.stream().filter((at) -> at >= fromMillis && at < toMillis).count();
	}

	/**
	 * Tokens issued, every one a successful response.
	 */
	int issued() {
		return this.tokens.size();
	}

	/**
	 * Token requests answered with a failure on purpose.
	 */
	int failures() {
		return this.failures.get();
	}

	long lastIssueMillis() {
		return this.tokens.values().stream().mapToLong(Issued::issuedMillis).max().orElse(0);
	}

	long firstIssueMillis() {
		return this.tokens.values().stream().mapToLong(Issued::issuedMillis).min().orElse(0);
	}

	long heldArrivedMillis() {
		return this.heldArrivedMillis.get();
	}

	int heldSerial() {
		return this.heldSerial.get();
	}

	/**
	 * Responses that could not be written, their client gone.
	 */
	int undelivered() {
		return this.undelivered.get();
	}

	/**
	 * Every token value issued so far, to look for in Redis: none may be stored in plain text.
	 */
	List<String> tokenValues() {
		return List.copyOf(this.tokens.keySet());
	}

	private void token(HttpExchange exchange) throws IOException {
		long arrived = System.currentTimeMillis();
		int arrival = this.arrivals.incrementAndGet();
		this.requestMillis.add(arrived);
		exchange.getRequestBody().readAllBytes();
		if (!CREDENTIALS.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			respond(exchange, 401, "{\"error\":\"invalid_client\"}");
			return;
		}
		Duration hold = this.holdNext.getAndSet(null);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		if (hold != null) {
			this.heldArrivedMillis.set(arrived);
			Polling.pause(hold);
		}
		else if (this.flapping && arrival % 5 == 2) {
			Polling.pause(SLOW);
		}
		if (this.flapping && (arrival % 10 == 1 || arrival % 10 == 4 || arrival % 10 == 7)) {
			this.failures.incrementAndGet();
			respond(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
			return;
		}
		int serial = this.serials.incrementAndGet();
		if (hold != null) {
			this.heldSerial.set(serial);
		}
		byte[] random16 = new byte[16];
		random.nextBytes(random16);
		String token = "rel" + serial + "-" + HexFormat.of().formatHex(random16);
		long issued = System.currentTimeMillis();
		this.tokens.put(token, new Issued(serial, issued, issued + this.lifetime.toMillis()));
		respond(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + "}");
	}

	private void respond(HttpExchange exchange, int status, String json) {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		try (OutputStream out = exchange.getResponseBody()) {
			exchange.sendResponseHeaders(status, body.length);
			out.write(body);
		}
		catch (IOException clientGone) {
			// The held response of a killed instance: counted, since experiment 1 reports it.
			this.undelivered.incrementAndGet();
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	private record Issued(int serial, long issuedMillis, long expiresMillis) {
	}

}
