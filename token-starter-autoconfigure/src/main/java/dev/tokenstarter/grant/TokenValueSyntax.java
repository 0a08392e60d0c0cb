package dev.tokenstarter.grant;

/**
 * Checks the characters of the tokens in a token endpoint's answer before anything keeps them, in every dialect.
 * A token that cannot be sent back as it came (a CR, a non-ASCII letter) would otherwise be cached and then fail
 * every API call inside the HTTP client, which is not a 401 and so never renews it. A refusal names the member,
 * the position and the kind of character, never the value.
 */
final class TokenValueSyntax {

	private static final String HEADER_CHARACTERS = "the visible ASCII characters (%x21-7E) a header carries";

	private static final String VSCHAR = "RFC 6749 VSCHAR (%x20-7E)";

	private TokenValueSyntax() {
	}

	/**
	 * Checks an access token against what an {@code Authorization} header carries after its scheme: visible ASCII
	 * characters, no space. RFC 6750's {@code b64token} is narrower, but providers issue tokens outside it
	 * (Salesforce's hold a {@code !}) that their APIs accept as they came, and the HTTP clients send them so.
	 * @param status the HTTP status of the answer
	 * @param member the member the token came in
	 * @param token the token, not empty
	 * @throws TokenEndpointException when the token holds a character that cannot be sent
	 */
	static void checkAccessToken(int status, String member, String token) {
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (c < 0x21 || c > 0x7E) {
				throw refused(status, member, i, c, HEADER_CHARACTERS);
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

	private static TokenEndpointException refused(int status, String member, int index, char c, String syntax) {
		return TokenEndpointException.invalidResponse(status,
				member + ": character " + (index + 1) + " is " + kind(c) + ", outside " + syntax);
	}

	/**
	 * Says what kind of character is wrong without saying which one: even one character of a token is not for logs.
	 */
	private static String kind(char c) {
		if (c == ' ') {
			return "a space";
		}
		return (c > 0x7F) ? "a non-ASCII character" : "a control character";
	}

}
