package dev.tokenstarter.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One token request at the {@link RawTokenEndpoint} and every way of answering it, well or badly: a full
 * response, raw bytes, a pause, a reset, or no answer at all.
 */
final class ProviderExchange {

	private final int number;

	private final RawRequest request;

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final IssuedTokens tokens;

	ProviderExchange(int number, RawRequest request, Socket socket, InputStream in, IssuedTokens tokens)
			throws IOException {
		this.number = number;
		this.request = request;
		this.socket = socket;
		this.in = in;
		this.out = socket.getOutputStream();
		this.tokens = tokens;
	}

	/**
	 * Returns the position of this request among those the current behaviour answered, from 1.
	 */
	int number() {
		return this.number;
	}

	RawRequest request() {
		return this.request;
	}

	IssuedTokens tokens() {
		return this.tokens;
	}

	/**
	 * Answers with a JSON body of status 200.
	 */
	void json(String body) throws IOException {
		respond(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Answers with a complete response that closes the connection.
	 * @param status the status
	 * @param contentType the content type, or null for none
	 * @param body the body, sent with its Content-Length
	 * @param headers further header lines, such as {@code "Retry-After: 1"}
	 */
	void respond(int status, @Nullable String contentType, byte[] body, String... headers) throws IOException {
		StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" Hostile\r\n");
		if (contentType != null) {
			head.append("Content-Type: ").append(contentType).append("\r\n");
		}
		for (String header : headers) {
			head.append(header).append("\r\n");
		}
		head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
		write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
		write(body);
	}

	/**
	 * Writes bytes as they are, for answers no HTTP library would produce.
	 */
	void write(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
	}

	void write(String text) throws IOException {
		write(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	void pause(Duration duration) throws InterruptedException {
		Thread.sleep(duration.toMillis());
	}

	/**
	 * Resets the connection (RST instead of an orderly close).
	 */
	void reset() throws IOException {
		this.socket.setSoLinger(true, 0);
		this.socket.close();
	}

	/**
	 * Never answers: keeps the connection open until the client gives up and closes it.
	 */
	void hold() throws IOException {
		while (this.in.read() != -1) {
			// Whatever the client still sends is ignored; only its closing the connection ends the wait.
		}
	}

}
