package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A token endpoint on a loopback port that issues the fixture's token to any request and counts the requests.
 * The JDK's own HTTP server is enough for the one request a trial makes, and keeps WireMock's Jetty out of the
 * benchmark JVM.
 */
final class TokenEndpoint implements AutoCloseable {

	private final HttpServer server;

	private final AtomicInteger requests = new AtomicInteger();

	private TokenEndpoint(HttpServer server) {
		this.server = server;
	}

	static TokenEndpoint start(String tokenValue, Duration lifetime) throws IOException {
		return start(tokenValue, lifetime, "Bearer");
	}

	/**
	 * Starts an endpoint that issues tokens of a type: Bearer, or DPoP for a provider with DPoP on.
	 */
	static TokenEndpoint start(String tokenValue, Duration lifetime, String tokenType) throws IOException {
		byte[] body = ("{\"access_token\":\"" + tokenValue + "\",\"token_type\":\"" + tokenType
				+ "\",\"expires_in\":" + lifetime.toSeconds() + "}").getBytes(StandardCharsets.UTF_8);
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		TokenEndpoint endpoint = new TokenEndpoint(server);
		server.createContext("/token", (exchange) -> {
			endpoint.requests.incrementAndGet();
			exchange.getRequestBody().readAllBytes();
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		server.start();
		return endpoint;
	}

	String tokenUri() {
		InetSocketAddress address = this.server.getAddress();
		return "http://" + address.getHostString() + ":" + address.getPort() + "/token";
	}

	int requests() {
		return this.requests.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
