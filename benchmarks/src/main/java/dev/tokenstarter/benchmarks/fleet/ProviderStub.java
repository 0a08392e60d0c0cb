package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The provider: a token endpoint issuing a new short-lived token to every request, after a delay like a real
 * provider's round trip. It records when it issued each token (the harness's one clock, {@link System#nanoTime()})
 * so the refresh windows and the propagation delays are placed by what the provider saw, not by what the engine
 * says about itself.
 */
final class ProviderStub implements ApiStub.BearerCheck, AutoCloseable {

	private final HttpServer server;

	private final ExecutorService executor;

	private final Duration lifetime;

	private final Duration delay;

	private final AtomicInteger requests = new AtomicInteger();

	private final List<Issue> issues = new CopyOnWriteArrayList<>();

	private final Map<String, Long> expiryNanos = new ConcurrentHashMap<>();

	private ProviderStub(HttpServer server, ExecutorService executor, Duration lifetime, Duration delay) {
		this.server = server;
		this.executor = executor;
		this.lifetime = lifetime;
		this.delay = delay;
	}

	static ProviderStub start(Duration lifetime, Duration delay) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		// Several threads, so that a duplicate token request from the fleet is served (and counted) rather than
		// queued behind the first.
		ExecutorService executor = Executors.newFixedThreadPool(4);
		ProviderStub provider = new ProviderStub(server, executor, lifetime, delay);
		server.createContext("/token", provider::issue);
		server.setExecutor(executor);
		server.start();
		return provider;
	}

	String tokenUri() {
		InetSocketAddress address = this.server.getAddress();
		return "http://" + address.getHostString() + ":" + address.getPort() + "/token";
	}

	int requests() {
		return this.requests.get();
	}

	/**
	 * Returns the tokens issued so far, in the order they were issued.
	 */
	List<Issue> issues() {
		return List.copyOf(this.issues);
	}

	/**
	 * Whether the provider issued this token and it has not expired by its own clock.
	 */
	boolean isValid(String token, long nowNanos) {
		Long expiry = this.expiryNanos.get(token);
		return expiry != null && nowNanos - expiry < 0;
	}

	/** An application token is good for every path. */
	@Override
	public boolean accepts(String token, String path, long nowNanos) {
		return isValid(token, nowNanos);
	}

	private void issue(HttpExchange exchange) throws IOException {
		int number = this.requests.incrementAndGet();
		exchange.getRequestBody().readAllBytes();
		pause(this.delay);
		String token = "fleet-token-" + number;
		byte[] body = ("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + "}").getBytes(StandardCharsets.UTF_8);
		long issued = System.nanoTime();
		this.expiryNanos.put(token, issued + this.lifetime.toNanos());
		this.issues.add(new Issue(token, issued));
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
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
