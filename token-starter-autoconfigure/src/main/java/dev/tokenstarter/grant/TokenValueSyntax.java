package dev.tokenstarter.grant;

/**
 * Checks the characters of the tokens in a token endpoint's answer before anything keeps them, in every dialect.
 * A token that cannot be sent back as it came (a CR, a non-ASCII letter) would otherwise be cached and then fail
 * every API call inside the HTTP client, which is not a 401 and so never renews it. A refusal names the member,
 * the position and the kind of character, never the value.
 */
final class TokenValueSyntax {

	private static final String B64TOKEN = "RFC 6750 b64token";

	private static final String VSCHAR = "RFC 6749 VSCHAR (%x20-7E)";

	private TokenValueSyntax() {
	}

	/**
	 * Checks an access token against the {@code b64token} of RFC 6750 section 2.1, the only syntax an
	 * {@code Authorization: Bearer} header carries: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
	 * *"="}.
	 * @param status the HTTP status of the answer
	 * @param member the member the token came in
	 * @param token the token, not empty
	 * @throws TokenEndpointException when the token is outside the syntax
	 */
	static void checkAccessToken(int status, String member, String token) {
		int end = token.length();
		while (end > 0 && token.charAt(end - 1) == '=') {
			end--;
		}
		if (end == 0) {
			throw refused(status, member, 0, '=', B64TOKEN);
		}
		for (int i = 0; i < end; i++) {
			char c = token.charAt(i);
			if (!isB64TokenCharacter(c)) {
				throw refused(status, member, i, c, B64TOKEN);
			}
		}
	}

	/**
	 * Checks a refresh token (RFC 6749 appendix A.17) or an ID token against {@code 1*VSCHAR}.
	 * @param status the HTTP status of the answer
	 * @param member the member the token came in
	 * @param token the token, not empty
	 * @throws TokenEndpointException when the token is outside the syntax
	 */
	static void checkVisible(int status, String member, String token) {
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (c < 0x20 || c > 0x7E) {
				throw refused(status, member, i, c, VSCHAR);
			}
		}
	}

	private static boolean isB64TokenCharacter(char c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				|| c == '_' || c == '~' || c == '+' || c == '/';
	}

	private static TokenEndpointException refused(int status, String member, int index, char c, String syntax) {
		return TokenEndpointException.invalidResponse(status,
				member + ": character " + (index + 1) + " is " + kind(c) + ", outside " + syntax);
	}

	/**
	 * Says what kind of character is wrong without saying which one: even one character of a token is not for logs.
	 */
	private static String kind(char c) {
		if (c < 0x20 || c == 0x7F) {
			return "a control character";
		}
		if (c > 0x7F) {
			return "a non-ASCII character";
		}
		if (c == ' ') {
			return "a space";
		}
		if (c == '=') {
			return "'=' before the end";
		}
		return "a punctuation character";
	}

}
