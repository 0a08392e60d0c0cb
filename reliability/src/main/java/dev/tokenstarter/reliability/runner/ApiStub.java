package dev.tokenstarter.reliability.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The protected API: 200 with the token's serial number for a bearer token the provider still considers valid for
 * the resource asked for, 401 for anything else. Counts both, and how often each call (by its {@code X-Call-Id})
 * was sent.
 */
final class ApiStub implements AutoCloseable {

	private static final String BEARER = "Bearer ";

	private final HttpServer server;

	private final ExecutorService executor;

	private final TokenCheck provider;

	private final AtomicLong rejected = new AtomicLong();

	private final Map<String, AtomicInteger> sendsPerCall = new ConcurrentHashMap<>();

	ApiStub(TokenCheck provider, int threads) throws IOException {
		this.provider = provider;
		this.executor = Executors.newFixedThreadPool(threads);
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2048);
		this.server.createContext("/resource", this::answer);
		this.server.setExecutor(this.executor);
		this.server.start();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/**
	 * Requests refused because their token was unknown, expired or revoked.
	 */
	long rejected() {
		return this.rejected.get();
	}

	/**
	 * The most times one call was sent (1 when none was resent).
	 */
	int maxSendsPerCall() {
		return this.sendsPerCall.values().stream().mapToInt(AtomicInteger::get).max().orElse(0);
	}

	/**
	 * Calls sent more than once.
	 */
	long resentCalls() {
		return this.sendsPerCall.values().stream().filter((sends) -> sends.get() > 1).count();
	}

	private void answer(HttpExchange exchange) throws IOException {
		exchange.getRequestBody().readAllBytes();
		String callId = exchange.getRequestHeaders().getFirst("X-Call-Id");
		if (callId != null) {
			this.sendsPerCall.computeIfAbsent(callId, (id) -> new AtomicInteger()).incrementAndGet();
		}
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		int serial = (authorization != null && authorization.startsWith(BEARER))
				? this.provider.validSerial(authorization.substring(BEARER.length()), exchange.getRequestURI().getPath(),
						System.currentTimeMillis())
				: -1;
		if (serial < 0) {
			this.rejected.incrementAndGet();
			exchange.sendResponseHeaders(401, -1);
			exchange.close();
			return;
		}
		byte[] body = ("t" + serial).getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "text/plain");
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	/**
	 * The provider's judgement of a bearer token: the API trusts no one else.
	 */
	@FunctionalInterface
	interface TokenCheck {

		/**
		 * The serial number of a token the provider still considers valid for {@code path} at {@code nowMillis},
		 * or -1.
		 */
		int validSerial(String token, String path, long nowMillis);

	}

}
