package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The protected API: answers 200 to a bearer token the provider issued for the path called and that has not
 * expired or been revoked by the provider's clock, 401 to anything else, and counts both.
 */
final class ApiStub implements AutoCloseable {

	private static final String BEARER = "Bearer ";

	private final HttpServer server;

	private final ExecutorService executor;

	private final BearerCheck provider;

	private final AtomicLong accepted = new AtomicLong();

	private final AtomicLong rejected = new AtomicLong();

	private ApiStub(HttpServer server, ExecutorService executor, BearerCheck provider) {
		this.server = server;
		this.executor = executor;
		this.provider = provider;
	}

	static ApiStub start(BearerCheck provider, int threads) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		ApiStub api = new ApiStub(server, executor, provider);
		server.createContext("/resource", api::answer);
		server.setExecutor(executor);
		server.start();
		return api;
	}

	String baseUrl() {
		InetSocketAddress address = this.server.getAddress();
		return "http://" + address.getHostString() + ":" + address.getPort();
	}

	long accepted() {
		return this.accepted.get();
	}

	long rejected() {
		return this.rejected.get();
	}

	private void answer(HttpExchange exchange) throws IOException {
		exchange.getRequestBody().readAllBytes();
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		boolean valid = authorization != null && authorization.startsWith(BEARER)
				&& this.provider.accepts(authorization.substring(BEARER.length()), exchange.getRequestURI().getPath(),
						System.nanoTime());
		(valid ? this.accepted : this.rejected).incrementAndGet();
		exchange.sendResponseHeaders(valid ? 200 : 401, -1);
		exchange.close();
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	/**
	 * The provider's verdict on a bearer token.
	 */
	interface BearerCheck {

		/**
		 * Whether the provider issued this token, for a call to this path, and it is still valid by the provider's
		 * clock ({@link System#nanoTime()}).
		 */
		boolean accepts(String token, String path, long nowNanos);

	}

}
