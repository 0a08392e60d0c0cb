package dev.tokenstarter.hostile;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.tokenstarter.hostile.HostileCase.Bound.ONE_REQUEST;
import static dev.tokenstarter.hostile.HostileCase.Bound.RENEWED_ONCE;
import static dev.tokenstarter.hostile.HostileCase.Bound.RETRIED;
import static dev.tokenstarter.hostile.HostileCase.Expected.refused;
import static dev.tokenstarter.hostile.HostileCase.Expected.rejectedByApi;
import static dev.tokenstarter.hostile.HostileCase.Expected.served;
import static dev.tokenstarter.hostile.HostileCase.Expected.servedFor;

/**
 * The table of hostile token endpoints. Token values the engine must refuse are never registered with
 * {@link IssuedTokens}, so the API stub can tell if one got through.
 */
final class HostileCases {

	/** Set as {@code refresh.default-lifetime}: a lifetime no response states, so its use is visible. */
	static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(7);

	/** The default {@code refresh.max-lifetime}, which a longer stated lifetime is cut to. */
	static final Duration MAX_LIFETIME = Duration.ofDays(30);

	private static final String INVALID = "invalid_token_response";

	private static final String JSON = "application/json";

	private static final String CHUNKED_JSON_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			+ "Transfer-Encoding: chunked\r\n\r\n";

	/** Announces a body of 300 bytes that never comes in full. */
	private static final String TRUNCATED_JSON_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			+ "Content-Length: 300\r\n\r\n";

	/** Longer than the {@code retry.request-timeout} the tests configure. */
	private static final Duration TOO_SLOW = Duration.ofMillis(1200);

	private HostileCases() {
	}

	/**
	 * The well-behaved provider: a new valid token per request.
	 */
	static ProviderBehaviour good() {
		return validToken("GOOD", "");
	}

	/**
	 * Every case.
	 * @param elsewhere base URL of another token endpoint, on another host name, a redirect may point to
	 */
	static Stream<HostileCase> all(String elsewhere) {
		return Stream
			.of(malformedJson(), wrongTypes(), controlCharacters(), nonAsciiAndSpaces(), hugeBodies(), encodings(),
					errorShapes(), duplicateMembers(), slowAndBroken(), redirects(elsewhere), tooManyRequests(),
					serverErrors(), rejectedByTheApi(), jwts(), lifetimes())
			.flatMap(Function.identity());
	}

	private static Stream<HostileCase> malformedJson() {
		return Stream.of(refusedBody("truncated JSON", "{\"access_token\":\"CUT\",\"expires_in\":30"),
				refusedAnswer("form-encoded body", status(200, "application/x-www-form-urlencoded",
						"access_token=FORM&expires_in=300")),
				refusedBody("JSON array", "[\"ARRAY\"]"),
				refusedBody("JSON string", "\"STRING\""),
				refusedBody("JSON null", "null"),
				refusedBody("second JSON value after the object",
						"{\"access_token\":\"TRAILING\",\"expires_in\":300} {\"access_token\":\"SECOND\"}"),
				refusedBody("nesting 5000 deep",
						"{\"access_token\":\"DEEP\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
				refusedBody("no access_token", "{\"token_type\":\"Bearer\",\"expires_in\":300}"));
	}

	private static Stream<HostileCase> wrongTypes() {
		return Stream.of(refusedBody("expires_in a boolean", "{\"access_token\":\"BOOL\",\"expires_in\":true}"),
				refusedBody("expires_in an object", "{\"access_token\":\"OBJ\",\"expires_in\":{\"seconds\":300}}"),
				refusedBody("access_token a number", "{\"access_token\":12345,\"expires_in\":300}"),
				refusedBody("access_token an array", "{\"access_token\":[\"A\",\"B\"],\"expires_in\":300}"),
				refusedBody("access_token empty", "{\"access_token\":\"\",\"expires_in\":300}"),
				refusedBody("token_type a number", "{\"access_token\":\"TYPE\",\"token_type\":1,\"expires_in\":300}"),
				// RFC 6749 wants a space-delimited string; a list is a common deviation. Scopes only describe the
				// token, which is fine: it is served.
				new HostileCase("scope an array (served)", validToken("SCOPED", ",\"scope\":[\"read\",\"write\"]"),
						served(), ONE_REQUEST),
				new HostileCase("expires_in a numeric string (served)",
						(exchange) -> exchange.json("{\"access_token\":\"" + issueValid(exchange, "STRLIFE")
								+ "\",\"token_type\":\"Bearer\",\"expires_in\":\"300\"}"),
						servedFor(Duration.ofSeconds(300)), ONE_REQUEST));
	}

	private static Stream<HostileCase> controlCharacters() {
		return Stream.of(refusedBody("CR LF in access_token (header injection)", token("EVIL\\r\\nX-Injected: yes")),
				refusedBody("lone LF in access_token", token("EVIL\\nLF")),
				refusedBody("NUL in access_token", token("EVIL\\u0000NUL")),
				refusedBody("TAB in access_token", token("EVIL\\tTAB")),
				refusedBody("DEL in access_token", token("EVIL\\u007FDEL")),
				// RFC 6749 bounds refresh tokens to VSCHAR: a response breaking that is malformed as a whole, and its
				// access token is not served either.
				refusedBody("CR LF in refresh_token",
						"{\"access_token\":\"CRLFREFRESH\",\"token_type\":\"Bearer\",\"expires_in\":300,"
								+ "\"refresh_token\":\"R\\r\\nX-Injected: yes\"}"),
				refusedBody("NUL in refresh_token",
						"{\"access_token\":\"NULREFRESH\",\"token_type\":\"Bearer\",\"expires_in\":300,"
								+ "\"refresh_token\":\"R\\u0000NUL\"}"));
	}

	private static Stream<HostileCase> nonAsciiAndSpaces() {
		return Stream.of(refusedBody("non-ASCII access_token", token("T\u00f6k\u20acn")),
				refusedBody("zero-width space in access_token", token("ZERO\u200bWIDTH")),
				refusedBody("space inside access_token", token("TWO WORDS")),
				refusedBody("access_token padded with spaces", token(" PADDED ")));
	}

	private static Stream<HostileCase> hugeBodies() {
		return Stream.of(refusedBody("70 KB access_token", token("H" + "x".repeat(70 * 1024))),
				refusedBody("100 KB of padding around a small token",
						token("PADDED", ",\"padding\":\"" + " ".repeat(100 * 1024) + "\"")),
				refusedAnswer("endless chunked body", (exchange) -> {
					exchange.write(CHUNKED_JSON_HEAD + "1\r\n{\r\n");
					String chunk = Integer.toHexString(8192) + "\r\n" + " ".repeat(8192) + "\r\n";
					while (true) {
						exchange.write(chunk);
					}
				}));
	}

	private static Stream<HostileCase> encodings() {
		return Stream.of(
				refusedAnswer("Content-Encoding gzip over plain JSON", (exchange) -> exchange.respond(200, JSON,
						bytes(token("GZIPLABEL")), "Content-Encoding: gzip")),
				// JSON's encoding shows in its first bytes (RFC 4627); the token inside is well-formed.
				new HostileCase("UTF-16 body with BOM (served)",
						(exchange) -> exchange.respond(200, JSON + ";charset=UTF-16",
								token(issueValid(exchange, "UTFSIXTEEN")).getBytes(StandardCharsets.UTF_16)),
						served(), ONE_REQUEST),
				new HostileCase("UTF-8 BOM before the JSON (served)", (exchange) -> {
					ByteArrayOutputStream body = new ByteArrayOutputStream();
					body.write(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF });
					body.write(bytes(token(issueValid(exchange, "BOM"))));
					exchange.respond(200, JSON, body.toByteArray());
				}, served(), ONE_REQUEST),
				refusedAnswer("Latin-1 byte that is not UTF-8 in access_token", (exchange) -> exchange.respond(200,
						JSON + ";charset=ISO-8859-1", token("LATIN\u00e9ONE").getBytes(StandardCharsets.ISO_8859_1))));
	}

	private static Stream<HostileCase> errorShapes() {
		return Stream.of(
				new HostileCase("error a number", status(400, JSON, "{\"error\":400}"), refused("http_400"),
						ONE_REQUEST),
				new HostileCase("error code made only of control characters",
						status(400, JSON, "{\"error\":\"\\r\\n\"}"), refused("http_400"), ONE_REQUEST),
				new HostileCase("error without description", status(400, JSON, "{\"error\":\"invalid_request\"}"),
						refused("invalid_request"), ONE_REQUEST),
				new HostileCase("error in a 200 answer", status(200, JSON, "{\"error\":\"invalid_grant\"}"),
						refused("invalid_grant"), ONE_REQUEST),
				new HostileCase("error_description with CR LF and 5 KB",
						status(400, JSON, "{\"error\":\"invalid_scope\",\"error_description\":\"first\\r\\n"
								+ "2026-01-01 INFO forged log line " + "y".repeat(5000) + "\"}"),
						refused("invalid_scope"), ONE_REQUEST),
				new HostileCase("HTML error page with 500",
						status(500, "text/html", "<html><body><h1>Internal Server Error</h1></body></html>"),
						refused("server_error"), RETRIED),
				refusedAnswer("HTML login page with 200",
						status(200, "text/html", "<html><body><form>Sign in</form></body></html>")),
				new HostileCase("SOAP fault with 502", status(502, "text/xml",
						"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
								+ "<soapenv:Fault><faultcode>Server</faultcode><faultstring>Backend down</faultstring>"
								+ "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"),
						refused("server_error"), RETRIED),
				new HostileCase("XML fault with 400",
						status(400, "application/xml", "<fault><code>900901</code><message>Invalid</message></fault>"),
						refused("http_400"), ONE_REQUEST),
				refusedAnswer("empty 200", status(200, JSON, "")),
				refusedAnswer("204 No Content",
						(exchange) -> exchange.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")),
				new HostileCase("temporarily_unavailable with 503",
						status(503, JSON, "{\"error\":\"temporarily_unavailable\"}"),
						refused("temporarily_unavailable"), RETRIED));
	}

	private static Stream<HostileCase> duplicateMembers() {
		return Stream.of(refusedBody("access_token twice with different values",
				"{\"access_token\":\"DUPFIRST\",\"access_token\":\"DUPSECOND\",\"expires_in\":300}"));
	}

	private static Stream<HostileCase> slowAndBroken() {
		return Stream.of(new HostileCase("answer slower than the request timeout", (exchange) -> {
			exchange.pause(TOO_SLOW);
			exchange.json(token("LATE"));
		}, refused("timeout"), RETRIED),
				new HostileCase("body trickled a byte every 100 ms", (exchange) -> {
					byte[] body = bytes(token("TRICKLE"));
					exchange.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
							+ body.length + "\r\n\r\n");
					for (byte b : body) {
						exchange.write(new byte[] { b });
						exchange.pause(Duration.ofMillis(100));
					}
				}, refused("timeout"), RETRIED),
				new HostileCase("connection accepted, never answered", ProviderExchange::hold, refused("timeout"),
						RETRIED),
				new HostileCase("connection closed without an answer", (exchange) -> {
				}, refused("connection_error"), RETRIED),
				new HostileCase("connection dropped mid-body",
						(exchange) -> exchange.write(TRUNCATED_JSON_HEAD + "{\"access_token\":\"HALF"),
						refused("connection_error"), RETRIED),
				new HostileCase("connection reset before an answer", ProviderExchange::reset,
						refused("connection_error"), RETRIED),
				new HostileCase("connection reset mid-body", (exchange) -> {
					exchange.write(TRUNCATED_JSON_HEAD + "{\"access_token\":\"RESET");
					exchange.pause(Duration.ofMillis(50));
					exchange.reset();
				}, refused("connection_error"), RETRIED),
				// A broken HTTP frame is a broken connection, like a body cut short.
				new HostileCase("malformed chunk",
						(exchange) -> exchange
							.write(CHUNKED_JSON_HEAD + "ZZZ\r\n{\"access_token\":\"CHUNK\"}\r\n0\r\n\r\n"),
						refused("connection_error"), RETRIED),
				new HostileCase("not HTTP at all",
						(exchange) -> exchange.write("SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001\u0002"),
						refused("connection_error"), RETRIED));
	}

	private static Stream<HostileCase> redirects(String elsewhere) {
		// Redirects are not followed: client credentials must never be replayed to whatever a Location names.
		return Stream.of(
				new HostileCase("302 to another host",
						(exchange) -> exchange.respond(302, null, new byte[0], "Location: " + elsewhere + "/token"),
						refused("http_302"), ONE_REQUEST),
				new HostileCase("307 to another path",
						(exchange) -> exchange.respond(307, null, new byte[0], "Location: /elsewhere/token"),
						refused("http_307"), ONE_REQUEST));
	}

	private static Stream<HostileCase> tooManyRequests() {
		return Stream.of(
				new HostileCase("429 with Retry-After in seconds", retryAfter("1"), refused("too_many_requests"),
						RETRIED),
				// A second ahead of the wall clock is more than that ahead of the engine's clock, which stands still
				// while the case runs: the engine may leave the provider alone a little longer than its cooldown.
				new HostileCase("429 with Retry-After as an HTTP-date",
						(exchange) -> retryAfter(DateTimeFormatter.RFC_1123_DATE_TIME
							.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(1))).answer(exchange),
						refused("too_many_requests"), RETRIED, Duration.ofSeconds(5)),
				// The engine leaves such a provider alone for 5 minutes at most.
				new HostileCase("429 with Retry-After beyond the retry budget", retryAfter("3600"),
						refused("too_many_requests"), RETRIED, Duration.ofMinutes(5)),
				new HostileCase("429 once, then good", thenGood(1, retryAfter("0")), served(), RETRIED));
	}

	private static Stream<HostileCase> serverErrors() {
		return Stream.of(
				new HostileCase("one 503, then good", thenGood(1, status(503, "text/plain", "busy")), served(),
						RETRIED),
				new HostileCase("burst of 5xx longer than the retries, then good",
						thenGood(3,
								(exchange) -> exchange.respond(500 + exchange.number(), "text/plain", bytes("burst"))),
						refused("server_error"), RETRIED));
	}

	private static Stream<HostileCase> rejectedByTheApi() {
		return Stream.of(
				new HostileCase("bad batch: every token rejected by the API", rejectedToken("BAD"), rejectedByApi(),
						RENEWED_ONCE),
				new HostileCase("first token revoked at the API, then good", thenGood(1, rejectedToken("REVOKED")),
						served(), RENEWED_ONCE));
	}

	private static Stream<HostileCase> jwts() {
		return Stream.of(
				new HostileCase("JWT with payload null, no expires_in (default lifetime)", validJwt("null"),
						servedFor(DEFAULT_LIFETIME), ONE_REQUEST),
				new HostileCase("JWT with an array payload, no expires_in (default lifetime)", validJwt("[1,2]"),
						servedFor(DEFAULT_LIFETIME), ONE_REQUEST),
				new HostileCase("JWT with exp a string, no expires_in (default lifetime)",
						validJwt("{\"exp\":\"tomorrow\"}"), servedFor(DEFAULT_LIFETIME), ONE_REQUEST),
				refusedBody("JWT with exp in the past, no expires_in",
						"{\"access_token\":\"" + jwt("{\"exp\":1000000000}", "past")
								+ "\",\"token_type\":\"Bearer\"}"));
	}

	private static Stream<HostileCase> lifetimes() {
		String overflowing = BigInteger.TWO.pow(64).add(BigInteger.valueOf(300)).toString();
		return Stream.of(refusedBody("expires_in 0", "{\"access_token\":\"ZERO\",\"expires_in\":0}"),
				refusedBody("expires_in negative", "{\"access_token\":\"NEG\",\"expires_in\":-60}"),
				new HostileCase("expires_in huge (cut to max-lifetime)",
						(exchange) -> exchange.json("{\"access_token\":\"" + issueValid(exchange, "HUGE")
								+ "\",\"expires_in\":99999999999}"),
						servedFor(MAX_LIFETIME), ONE_REQUEST),
				new HostileCase("expires_in 2^64 + 300 (overflows a long; cut to max-lifetime, not wrapped)",
						(exchange) -> exchange.json("{\"access_token\":\"" + issueValid(exchange, "OVERFLOW")
								+ "\",\"expires_in\":" + overflowing + "}"),
						servedFor(MAX_LIFETIME), ONE_REQUEST),
				refusedBody("token_type mac", "{\"access_token\":\"MAC\",\"token_type\":\"mac\",\"expires_in\":300}"));
	}

	/**
	 * A provider answering 200 with a JSON body that holds no usable token.
	 */
	private static HostileCase refusedBody(String name, String body) {
		return refusedAnswer(name, status(200, JSON, body));
	}

	/**
	 * A provider whose answer is no usable token, and no error worth retrying either.
	 */
	private static HostileCase refusedAnswer(String name, ProviderBehaviour behaviour) {
		return new HostileCase(name, behaviour, refused(INVALID), ONE_REQUEST);
	}

	/**
	 * A provider misbehaving for its first {@code count} requests and good from then on.
	 */
	private static ProviderBehaviour thenGood(int count, ProviderBehaviour hostile) {
		return (exchange) -> ((exchange.number() <= count) ? hostile : good()).answer(exchange);
	}

	private static ProviderBehaviour status(int status, String contentType, String body) {
		return (exchange) -> exchange.respond(status, contentType, bytes(body));
	}

	private static ProviderBehaviour retryAfter(String value) {
		return (exchange) -> exchange.respond(429, null, new byte[0], "Retry-After: " + value);
	}

	/**
	 * A provider handing out valid tokens, with extra JSON members.
	 */
	private static ProviderBehaviour validToken(String prefix, String extraMembers) {
		return (exchange) -> exchange.json(token(issueValid(exchange, prefix), extraMembers));
	}

	/**
	 * A provider handing out well-formed tokens its API rejects.
	 */
	private static ProviderBehaviour rejectedToken(String prefix) {
		return (exchange) -> exchange.json(token(exchange.tokens().rejected(exchange.tokens().unique(prefix))));
	}

	/**
	 * A provider handing out valid JWTs with the given payload and no expires_in.
	 */
	private static ProviderBehaviour validJwt(String payload) {
		return (exchange) -> exchange.json("{\"access_token\":\""
				+ exchange.tokens().valid(jwt(payload, exchange.tokens().unique("sig")))
				+ "\",\"token_type\":\"Bearer\"}");
	}

	private static String issueValid(ProviderExchange exchange, String prefix) {
		return exchange.tokens().valid(exchange.tokens().unique(prefix));
	}

	private static String token(String accessToken) {
		return token(accessToken, "");
	}

	/**
	 * A Bearer token response for 300 s; {@code accessToken} goes into a JSON string as it is, escapes included.
	 */
	private static String token(String accessToken, String extraMembers) {
		return "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":300" + extraMembers
				+ "}";
	}

	private static String jwt(String payload, String signature) {
		Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
		return encoder.encodeToString(bytes("{\"alg\":\"none\"}")) + "." + encoder.encodeToString(bytes(payload))
				+ "." + signature;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
