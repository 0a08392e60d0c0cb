package dev.tokenstarter.hostile;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The provider's protected API: records every {@code Authorization} header it receives and accepts a request
 * only when it carries exactly one bearer token the provider stub issued as valid. An accepted request is
 * answered with the token's value, so the caller can tell which token got through.
 */
final class ApiStub implements Closeable {

	static final String PATH = "/api";

	/** Recorded for a request that arrived without any Authorization header. */
	static final String NO_AUTHORIZATION = "(none)";

	private static final String BEARER = "Bearer ";

	private final HttpServer server;

	private final ExecutorService threads = Executors.newFixedThreadPool(16, (task) -> {
		Thread thread = new Thread(task, "api-stub");
		thread.setDaemon(true);
		return thread;
	});

	private final IssuedTokens tokens;

	private final List<String> authorizations = new CopyOnWriteArrayList<>();

	ApiStub(IssuedTokens tokens) throws IOException {
		this.tokens = tokens;
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
		this.server.createContext(PATH, this::handle);
		this.server.setExecutor(this.threads);
		this.server.start();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/**
	 * Returns every Authorization header received since the last {@link #clear()}, in order.
	 */
	List<String> authorizations() {
		return List.copyOf(this.authorizations);
	}

	void clear() {
		this.authorizations.clear();
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.threads.shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			List<String> received = exchange.getRequestHeaders().getOrDefault("Authorization", List.of());
			this.authorizations.addAll(received.isEmpty() ? List.of(NO_AUTHORIZATION) : received);
			String token = (received.size() == 1 && received.get(0).startsWith(BEARER))
					? received.get(0).substring(BEARER.length()) : null;
			exchange.getRequestBody().readAllBytes();
			if (token != null && this.tokens.isValid(token)) {
				byte[] body = token.getBytes(StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(200, body.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			}
			else {
				exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
				exchange.sendResponseHeaders(401, -1);
			}
		}
	}

}
