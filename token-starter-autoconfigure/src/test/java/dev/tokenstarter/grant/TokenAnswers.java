package dev.tokenstarter.grant;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

import static dev.tokenstarter.test.Fuzz.between;
import static dev.tokenstarter.test.Fuzz.chance;
import static dev.tokenstarter.test.Fuzz.pick;

/**
 * Random token endpoint answers, RFC 6749 and Nomba's envelope: JSON of every shape and type, members given
 * twice, tokens with characters a header cannot carry, JWTs with odd {@code exp} claims, numbers past any
 * {@code long}, bodies in other encodings, with a BOM, invalid UTF-8, truncated or too large, and any status.
 * Most answers are close enough to a token to reach the checks deep in the readers; each remembers what it
 * meant to say, for the properties' oracles.
 */
final class TokenAnswers {

	/** Every token value drawn starts so: a message may then be searched for it. */
	static final String TOKEN_MARK = "TkN";

	/** Other strings drawn start so, never with {@link #TOKEN_MARK}: a reader may repeat them. */
	private static final String TEXT_MARK = "sTr";

	private static final String B64TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";

	/** Characters no b64token holds, a few of which a refresh token (VSCHAR) may hold. */
	private static final List<String> STRAY_CHARACTERS = List.of(" ", "=", "\t", "\r", "\n", "\u0000", "\u007f", ":",
			"\"", "\\", ",", "\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "\u00a0", "\u2028", "\ufeff");

	private TokenAnswers() {
	}

	/**
	 * An answer: what reaches a reader, and what it meant.
	 *
	 * @param status the HTTP status
	 * @param contentType the Content-Type, or null
	 * @param body the bytes of the body
	 * @param retryAfter the Retry-After, or null
	 * @param clean whether the body is the JSON as written, in UTF-8, each member once (nothing the readers
	 * must refuse for its form)
	 * @param expiresIn the {@code expires_in} written as a JSON integer, or null
	 * @param withoutLifetime whether no lifetime was written at all ({@code expires_in} absent or null) and the
	 * access token is no JWT
	 * @param json the JSON as written, for the report
	 */
	record Answer(int status, @Nullable String contentType, byte[] body, @Nullable Duration retryAfter, boolean clean,
			@Nullable Long expiresIn, boolean withoutLifetime, String json) {

		@Override
		public String toString() {
			String shown = (this.json.length() > 600) ? this.json.substring(0, 600) + "…(" + this.json.length() + ")"
					: this.json;
			return "HTTP " + this.status + " " + this.contentType + " retry-after " + this.retryAfter + ", "
					+ this.body.length + " bytes" + (this.clean ? "" : " (mangled)") + ": " + shown.replace("\r", "\\r")
						.replace("\n", "\\n");
		}

	}

	/**
	 * RFC 6749 answers of any status.
	 */
	static Gen<Answer> rfc6749() {
		return (in) -> answer(in, status(in), rfc6749Json(in, Instant.now()));
	}

	/**
	 * Answers in Nomba's envelope, of any status, whose {@code expiresAt} is counted from {@code now}.
	 */
	static Gen<Answer> nomba(Instant now) {
		return (in) -> answer(in, status(in), nombaJson(in, now));
	}

	/**
	 * What a body says before it is encoded.
	 */
	private record Written(String json, boolean duplicates, @Nullable Long expiresIn, boolean withoutLifetime) {

	}

	private static Answer answer(RandomnessSource in, int status, Written written) {
		String contentType = pick(in, "application/json", "application/json;charset=UTF-8", null, "text/html",
				"text/plain; charset=iso-8859-1", "application/x-www-form-urlencoded", "application/json\r\nX-A: b");
		Duration retryAfter = chance(in, 20) ? Duration.ofSeconds(between(in, 0, 3600)) : null;
		int encoding = chance(in, 80) ? 0 : between(in, 1, 11);
		byte[] body = encode(in, encoding, written.json());
		boolean clean = encoding == 0 && !written.duplicates();
		return new Answer(status, contentType, body, retryAfter, clean, written.expiresIn(),
				written.withoutLifetime(), written.json());
	}

	private static int status(RandomnessSource in) {
		if (chance(in, 75)) {
			return 200;
		}
		return chance(in, 75) ? pick(in, 201, 204, 299, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 302, 100)
				: between(in, 0, 999);
	}

	/**
	 * Encodes the JSON as a server might, or mangles it as one should not.
	 */
	private static byte[] encode(RandomnessSource in, int encoding, String json) {
		byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
		return switch (encoding) {
			case 0 -> utf8;
			case 1 -> concat(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, utf8);
			case 2 -> json.getBytes(pick(in, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16,
					Charset.forName("UTF-32")));
			case 3 -> json.getBytes(StandardCharsets.ISO_8859_1);
			case 4 -> invalidUtf8(in, utf8);
			case 5 -> Arrays.copyOf(utf8, between(in, 0, Math.max(0, utf8.length - 1)));
			case 6 -> randomBytes(in, between(in, 0, 300));
			case 7 -> concat(pick(in, ")]}',\n", "<html>", "\u0000", "null", "{}", "[").getBytes(StandardCharsets.UTF_8),
					utf8);
			case 8 -> (json + " ".repeat(between(in, 1, 70 * 1024))).getBytes(StandardCharsets.UTF_8);
			case 9 -> new byte[0];
			case 10 -> concat(utf8, pick(in, "{}", ",", "}", "\u0000", " extra").getBytes(StandardCharsets.UTF_8));
			default -> json.replace("\"", "'").getBytes(StandardCharsets.UTF_8);
		};
	}

	private static byte[] invalidUtf8(RandomnessSource in, byte[] utf8) {
		byte[] bad = pick(in, new byte[] { (byte) 0xFF }, new byte[] { (byte) 0xC0, (byte) 0xAF },
				new byte[] { (byte) 0x80 }, new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 },
				new byte[] { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, new byte[] { (byte) 0xC3 });
		int at = between(in, 0, utf8.length);
		byte[] result = new byte[utf8.length + bad.length];
		System.arraycopy(utf8, 0, result, 0, at);
		System.arraycopy(bad, 0, result, at, bad.length);
		System.arraycopy(utf8, at, result, at + bad.length, utf8.length - at);
		return result;
	}

	private static byte[] randomBytes(RandomnessSource in, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) between(in, 0, 255);
		}
		return bytes;
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] result = new byte[first.length + second.length];
		System.arraycopy(first, 0, result, 0, first.length);
		System.arraycopy(second, 0, result, first.length, second.length);
		return result;
	}

	private static Written rfc6749Json(RandomnessSource in, Instant now) {
		Members members = new Members();
		String accessToken = null;
		if (chance(in, 90)) {
			accessToken = chance(in, 85) ? accessToken(in, now) : null;
			members.add(in, "access_token", (accessToken != null) ? quote(in, accessToken) : anyValue(in, 2));
		}
		if (chance(in, 60)) {
			members.add(in, "token_type", chance(in, 75) ? quote(in, pick(in, "Bearer", "bearer", "BEARER"))
					: chance(in, 60) ? quote(in, pick(in, "mac", "", "Bearer ", "DPoP", "N_A")) : anyValue(in, 1));
		}
		Long expiresIn = null;
		boolean lifetimeWritten = false;
		if (chance(in, 70)) {
			lifetimeWritten = true;
			if (chance(in, 80)) {
				expiresIn = chance(in, 80) ? between(in, 1, 100_000)
						: (long) pick(in, 0, -1, 2_592_000, 2_592_001, 315_360_000, 2_147_483_647);
				members.add(in, "expires_in", Long.toString(expiresIn));
			}
			else {
				String value = chance(in, 80) ? pick(in, "\"300\"", "\" 300 \"", "300.7", "0.5", "1e3", "1e300", "1e400",
						"-1e30", "18446744073709551916", "\"300.5\"", "\"soon\"", "-0", "3.0E2", "null", "\"\"",
						"9223372036854775808", "1" + "0".repeat(between(in, 20, 2000))) : anyValue(in, 1);
				lifetimeWritten = !"null".equals(value);
				members.add(in, "expires_in", value);
			}
		}
		if (chance(in, 40)) {
			members.add(in, "refresh_token", chance(in, 80) ? quote(in, tokenValue(in)) : anyValue(in, 1));
		}
		if (chance(in, 30)) {
			members.add(in, "scope", chance(in, 70) ? pick(in, "\"read write\"", "\"\"", "\" \"", "[\"a\",\"b\"]",
					"\"a\\tb\"", "[]", "null", "[1]") : anyValue(in, 2));
		}
		if (chance(in, 15)) {
			members.add(in, "id_token", chance(in, 70) ? quote(in, tokenValue(in)) : anyValue(in, 1));
		}
		if (chance(in, 15)) {
			members.add(in, "refresh_expires_in", anyValue(in, 1));
		}
		if (chance(in, 8)) {
			members.add(in, "error", chance(in, 70) ? quote(in, pick(in, "invalid_client", "invalid_grant", "",
					"temporarily_unavailable", "x\r\ny")) : anyValue(in, 1));
			if (chance(in, 60)) {
				members.add(in, "error_description", anyValue(in, 1));
			}
		}
		while (chance(in, 30)) {
			members.add(in, name(in), anyValue(in, 3));
		}
		boolean jwt = accessToken != null && accessToken.indexOf('.') >= 0;
		return new Written(members.json(in), members.duplicates, expiresIn, !lifetimeWritten && !jwt);
	}

	private static Written nombaJson(RandomnessSource in, Instant now) {
		Members data = new Members();
		if (chance(in, 90)) {
			data.add(in, "access_token", chance(in, 85) ? quote(in, accessToken(in, now)) : anyValue(in, 2));
		}
		if (chance(in, 50)) {
			data.add(in, "refresh_token", chance(in, 80) ? quote(in, tokenValue(in)) : anyValue(in, 1));
		}
		if (chance(in, 95)) {
			data.add(in, "expiresAt", chance(in, 92) ? quote(in, expiresAt(in, now)) : anyValue(in, 1));
		}
		if (chance(in, 40)) {
			data.add(in, "businessId", chance(in, 70) ? quote(in, "b-" + between(in, 0, 99)) : anyValue(in, 1));
		}
		while (chance(in, 20)) {
			data.add(in, name(in), anyValue(in, 2));
		}
		Members envelope = new Members();
		if (chance(in, 92)) {
			envelope.add(in, "code", chance(in, 85) ? "\"00\"" : pick(in, "\"01\"", "\"02\"", "0", "00", "\"\"", "null",
					"true", "\"0\"", "[\"00\"]"));
		}
		if (chance(in, 60)) {
			envelope.add(in, "description", chance(in, 70) ? quote(in, pick(in, "Success", "Invalid credentials",
					"bad\r\nline", "x".repeat(500))) : anyValue(in, 1));
		}
		if (chance(in, 95)) {
			envelope.add(in, "data", chance(in, 92) ? data.json(in) : anyValue(in, 2));
		}
		while (chance(in, 15)) {
			envelope.add(in, name(in), anyValue(in, 2));
		}
		return new Written(envelope.json(in), envelope.duplicates || data.duplicates, null, false);
	}

	/**
	 * A JSON object's members in the order drawn, now and then one given twice.
	 */
	private static final class Members {

		private final List<String> members = new ArrayList<>();

		private boolean duplicates;

		void add(RandomnessSource in, String name, String value) {
			this.members.add("\"" + name + "\":" + value);
			if (chance(in, 3)) {
				this.duplicates = true;
				this.members.add("\"" + name + "\":" + (chance(in, 50) ? value : anyValue(in, 1)));
			}
		}

		String json(RandomnessSource in) {
			String separator = pick(in, ",", ", ", ",\n  ");
			return "{" + String.join(separator, this.members) + "}";
		}

	}

	/**
	 * Access tokens: mostly b64token, some with a stray character, some JWTs, now and then empty or long.
	 */
	private static String accessToken(RandomnessSource in, Instant now) {
		return switch (chance(in, 50) ? 0 : between(in, 1, 4)) {
			case 0, 1 -> tokenValue(in);
			case 2 -> jwt(in, now);
			case 3 -> pick(in, "", " ", "==", "=", TOKEN_MARK + "==", TOKEN_MARK + "=x")
					+ (chance(in, 50) ? "" : tokenValue(in));
			default -> TOKEN_MARK + "x".repeat(between(in, 1, 20_000));
		};
	}

	/**
	 * A token value: b64token characters, now and then with one stray character inside.
	 */
	private static String tokenValue(RandomnessSource in) {
		return tokenValue(in, TOKEN_MARK);
	}

	private static String tokenValue(RandomnessSource in, String mark) {
		StringBuilder token = new StringBuilder(mark);
		int length = between(in, 0, 40);
		for (int i = 0; i < length; i++) {
			token.append(B64TOKEN_CHARACTERS.charAt(between(in, 0, B64TOKEN_CHARACTERS.length() - 1)));
		}
		if (chance(in, 20)) {
			token.insert(between(in, 1, token.length()), pick(in, STRAY_CHARACTERS));
		}
		if (chance(in, 15)) {
			token.append("=".repeat(between(in, 1, 3)));
		}
		return token.toString();
	}

	/**
	 * A JWT whose payload is any JSON, usually an object with an {@code exp} around {@code now}.
	 */
	private static String jwt(RandomnessSource in, Instant now) {
		String payload;
		if (chance(in, 80)) {
			String exp = chance(in, 75) ? Long.toString(now.getEpochSecond() + pick(in, 900L, 60L, -60L, 0L, 1L,
					40L * 86_400, 3_600L, -1_000_000_000L, 99_999_999_999L)) : pick(in, "1e30", "\"soon\"", "null",
							"18446744073709551916", "-1e30", "1.5e9", "9223372036854775807", "[1]", "{}");
			payload = "{\"sub\":\"s\",\"exp\":" + exp + "}";
		}
		else {
			payload = anyValue(in, 2);
		}
		Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
		String header = url.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
		String encoded = chance(in, 90) ? url.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
				: pick(in, "%%%", "", "e30=", Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)));
		return TOKEN_MARK + header + "." + encoded + "." + pick(in, "c2ln", "", "a.b");
	}

	/**
	 * Nomba's expiry: an ISO-8601 instant around {@code now}, in the forms servers write and some they should not.
	 */
	private static String expiresAt(RandomnessSource in, Instant now) {
		Instant at = now.plusSeconds(chance(in, 60) ? between(in, 1, 3600) : pick(in, 0L, -60L, 2_592_000L,
				2_592_001L, 400L * 86_400, -86_400L, 2L * 86_400, 7_201L));
		return switch (chance(in, 75) ? 0 : between(in, 1, 6)) {
			case 0, 1 -> at.toString();
			case 2 -> at.atOffset(ZoneOffset.ofHours(pick(in, 1, -5, 14))).toString();
			case 3 -> at.toString().replace("Z", "");
			case 4 -> Long.toString(at.getEpochSecond());
			case 5 -> pick(in, "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2026-02-30T10:00:00Z",
					"tomorrow", "", " ", "2026-11-23T25:00:00Z");
			default -> at.toString().toLowerCase();
		};
	}

	private static String name(RandomnessSource in) {
		return pick(in, "x", "", "data", "expires", "ACCESS_TOKEN", "access_token ", "\\u0061ccess_token",
				"a".repeat(300));
	}

	/**
	 * Any JSON value, nested at most {@code depth} deep (now and then far deeper, as an array nest).
	 */
	static String anyValue(RandomnessSource in, int depth) {
		int kinds = (depth > 0) ? 8 : 5;
		return switch (between(in, 0, kinds)) {
			case 0 -> "null";
			case 1 -> pick(in, "true", "false");
			case 2 -> pick(in, "0", "-0", "1", "-1", "300", "9223372036854775807", "-9223372036854775808",
					"18446744073709551916", "1" + "0".repeat(between(in, 19, 1500)), Integer.toString(between(in, -1000, 1000)));
			case 3 -> pick(in, "0.5", "300.7", "1e3", "1E300", "1e400", "-1e30", "1e-7", "-0.0", "2.592e6", "1e999999999");
			case 4 -> quote(in, chance(in, 50) ? tokenValue(in, TEXT_MARK) : pick(in, "", " ", "300", "x\u0000y", "\u00e9t\u00e9",
					"a\"b", "\ud83d\ude00", "\ud800", "\\", "\u2028"));
			case 5 -> chance(in, 50) ? "[]" : "{}";
			case 6 -> {
				List<String> items = new ArrayList<>();
				int count = between(in, 0, 4);
				for (int i = 0; i < count; i++) {
					items.add(anyValue(in, depth - 1));
				}
				yield "[" + String.join(",", items) + "]";
			}
			case 7 -> {
				Members members = new Members();
				int count = between(in, 0, 4);
				for (int i = 0; i < count; i++) {
					members.add(in, pick(in, "access_token", "a", "exp", "code", "data"), anyValue(in, depth - 1));
				}
				yield members.json(in);
			}
			default -> {
				int nesting = pick(in, 10, 600, 1500);
				yield "[".repeat(nesting) + "]".repeat(nesting);
			}
		};
	}

	/**
	 * Writes a string as a JSON string, escaping as a server might: what must be escaped always (but now and then
	 * a raw control character, which is malformed JSON), what may be escaped sometimes.
	 */
	static String quote(RandomnessSource in, String value) {
		boolean escapeNonAscii = chance(in, 30);
		boolean rawControls = chance(in, 5);
		StringBuilder json = new StringBuilder("\"");
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20 && !rawControls) {
				json.append("\\u").append(HexFormat.of().toHexDigits(c));
			}
			else if (c > 0x7E && escapeNonAscii) {
				json.append("\\u").append(HexFormat.of().toHexDigits(c));
			}
			else {
				json.append(c);
			}
		}
		return json.append('"').toString();
	}

}
