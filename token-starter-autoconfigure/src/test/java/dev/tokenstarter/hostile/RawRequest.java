package dev.tokenstarter.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 request as read off a raw socket: request line, headers and body (by Content-Length or chunked).
 *
 * @param requestLine the request line, such as {@code POST /token HTTP/1.1}
 * @param headers the headers by lower-case name (the last one wins)
 * @param body the body as text
 */
record RawRequest(String requestLine, Map<String, String> headers, String body) {

	/**
	 * Reads one request, or returns null when the connection ends before a request line.
	 */
	static @Nullable RawRequest read(InputStream in) throws IOException {
		String requestLine = line(in);
		if (requestLine == null || requestLine.isEmpty()) {
			return null;
		}
		Map<String, String> headers = new TreeMap<>();
		for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
			int colon = header.indexOf(':');
			if (colon > 0) {
				String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
				headers.put(name, header.substring(colon + 1).trim());
			}
		}
		byte[] body;
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			body = chunked(in);
		}
		else {
			body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
		}
		return new RawRequest(requestLine, headers, new String(body, StandardCharsets.UTF_8));
	}

	private static byte[] chunked(InputStream in) throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (String size = line(in); size != null; size = line(in)) {
			int length = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
			if (length == 0) {
				line(in);
				break;
			}
			body.write(in.readNBytes(length));
			line(in);
		}
		return body.toByteArray();
	}

	private static @Nullable String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != -1; b = in.read()) {
			if (b == '\n') {
				String text = line.toString(StandardCharsets.ISO_8859_1);
				return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
			}
			line.write(b);
		}
		return (line.size() > 0) ? line.toString(StandardCharsets.ISO_8859_1) : null;
	}

}
