package dev.tokenstarter.ssl;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.Assert;

/**
 * Signs the DPoP proofs of providers whose tokens are DPoP-bound (RFC 9449 section 4), with keys from
 * {@link DpopKeys}: a token request with the provider's current key, an API call with the key its token is bound
 * to. A new proof for every request, retries included, since servers refuse a {@code jti} they have seen. A proof
 * names the request ({@code htm}, and {@code htu} without query and fragment), carries {@code iat} from the
 * injected clock, a random {@code jti}, the latest nonce of the request's server when it gave one, and on API calls
 * {@code ath}, the hash of the token it comes with.
 */
public final class DpopProofs {

	/** The request header carrying a proof. */
	public static final String HEADER = "DPoP";

	/** The response header carrying the nonce a server wants in the next proofs. */
	public static final String NONCE_HEADER = "DPoP-Nonce";

	/** The error of a server that wants a nonce it has just given (RFC 9449 sections 8 and 9). */
	public static final String USE_DPOP_NONCE = "use_dpop_nonce";

	private static final String SCHEME = "DPoP";

	private final DpopKeys keys;

	private final DpopNonces nonces = new DpopNonces();

	private final Clock clock;

	public DpopProofs(DpopKeys keys, Clock clock) {
		Assert.notNull(keys, "keys cannot be null");
		Assert.notNull(clock, "clock cannot be null");
		this.keys = keys;
		this.clock = clock;
	}

	/**
	 * Returns a proof for a token request, which carries no {@code ath}.
	 * @param key the key the request is signed with, which the token it obtains is bound to
	 * @param method the request's method
	 * @param uri the request's URI
	 * @return the proof
	 */
	public String proof(DpopKey key, String method, URI uri) {
		return sign(key, method, uri, null);
	}

	/**
	 * Returns a proof for an API call with a DPoP-bound token, signed with the key the token is bound to.
	 * @param registrationId the client registration id
	 * @param method the request's method
	 * @param uri the request's URI
	 * @param accessToken the token the call carries
	 * @return the proof, or null when this instance has no key for the token: the token cannot be sent
	 */
	public @Nullable String proof(String registrationId, String method, URI uri, String accessToken) {
		String ath = accessTokenHash(accessToken);
		DpopKey key = this.keys.boundKey(ath);
		return (key != null) ? sign(key, method, uri, ath) : null;
	}

	/**
	 * Keeps the nonce a response carries, if any, for the next proofs to its server.
	 * @param uri where the request went
	 * @param headers the response's headers
	 * @return whether the response carried a usable nonce
	 */
	public boolean followNonce(URI uri, HttpHeaders headers) {
		return this.nonces.follow(uri, headers.getFirst(NONCE_HEADER));
	}

	/**
	 * Whether an API's answer asks for the call again with the nonce it gives (RFC 9449 section 9): a 401 whose
	 * {@code WWW-Authenticate} challenge is DPoP with error {@code use_dpop_nonce}, with a {@code DPoP-Nonce}
	 * (which {@link #followNonce} keeps).
	 * @param status the response's status
	 * @param headers the response's headers
	 * @return whether to send the call once more with a new proof
	 */
	public boolean isNonceChallenge(int status, HttpHeaders headers) {
		if (status != 401 || headers.getFirst(NONCE_HEADER) == null) {
			return false;
		}
		for (String line : headers.getOrEmpty(HttpHeaders.WWW_AUTHENTICATE)) {
			if (asksForNonce(line)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a {@code WWW-Authenticate} line holds a DPoP challenge whose {@code error} is
	 * {@code use_dpop_nonce}, wherever it stands among the line's challenges: a server that takes Bearer and DPoP
	 * tokens names both (RFC 9449 section 7.1). The line's elements are split at commas outside quoted strings
	 * (RFC 9110 section 11.6.1); an element that starts with a token not followed by {@code =} starts a challenge,
	 * the others are parameters of the challenge before them.
	 */
	static boolean asksForNonce(String line) {
		boolean inDpop = false;
		for (String element : elements(line)) {
			String parameter = element.strip();
			int equals = parameter.indexOf('=');
			int space = firstWhitespace(parameter);
			if (equals < 0 || (space >= 0 && space < equals && !parameter.substring(space, equals).isBlank())) {
				String scheme = (space >= 0) ? parameter.substring(0, space) : parameter;
				inDpop = SCHEME.equalsIgnoreCase(scheme);
				parameter = (space >= 0) ? parameter.substring(space).strip() : "";
				equals = parameter.indexOf('=');
			}
			if (inDpop && equals > 0 && "error".equalsIgnoreCase(parameter.substring(0, equals).strip())
					&& USE_DPOP_NONCE.equals(unquoted(parameter.substring(equals + 1).strip()))) {
				return true;
			}
		}
		return false;
	}

	private static List<String> elements(String line) {
		List<String> elements = new ArrayList<>();
		StringBuilder element = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < line.length(); i++) {
			char c = line.charAt(i);
			if (quoted && c == '\\' && i + 1 < line.length()) {
				element.append(c).append(line.charAt(++i));
				continue;
			}
			if (c == '"') {
				quoted = !quoted;
			}
			if (c == ',' && !quoted) {
				elements.add(element.toString());
				element.setLength(0);
			}
			else {
				element.append(c);
			}
		}
		elements.add(element.toString());
		return elements;
	}

	private static int firstWhitespace(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (Character.isWhitespace(text.charAt(i))) {
				return i;
			}
		}
		return -1;
	}

	private static String unquoted(String value) {
		return (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""))
				? value.substring(1, value.length() - 1) : value;
	}

	private String sign(DpopKey key, String method, URI uri, @Nullable String ath) {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
			.claim("htm", method)
			.claim("htu", htu(uri))
			.issueTime(Date.from(this.clock.instant()));
		String nonce = this.nonces.nonce(uri);
		if (nonce != null) {
			claims.claim("nonce", nonce);
		}
		if (ath != null) {
			claims.claim("ath", ath);
		}
		SignedJWT proof = new SignedJWT(key.header(), claims.build());
		try {
			proof.sign(key.signer());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("A DPoP proof cannot be signed: " + ex.getMessage(), ex);
		}
		return proof.serialize();
	}

	/**
	 * RFC 9449 section 4.2: the target URI without query and fragment, as the server rebuilds it (RFC 9110 section
	 * 7.1): no user information, which the request never carries; no port when it is the scheme's own; and
	 * {@code /} for an empty path, which is what the request line sends.
	 */
	static String htu(URI uri) {
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		String path = uri.getRawPath();
		return scheme + "://" + authority(scheme, uri) + ((path == null || path.isEmpty()) ? "/" : path);
	}

	private static String authority(String scheme, URI uri) {
		if (uri.getHost() == null) {
			// A name java.net.URI does not take for a host (an underscore in it, say): as written, less any user.
			String authority = uri.getRawAuthority();
			return authority.substring(authority.lastIndexOf('@') + 1);
		}
		int port = uri.getPort();
		boolean schemesOwn = port == -1 || ("https".equals(scheme) && port == 443)
				|| ("http".equals(scheme) && port == 80);
		return schemesOwn ? uri.getHost() : uri.getHost() + ":" + port;
	}

	/**
	 * RFC 9449 section 4.2: base64url of the SHA-256 of the token's ASCII bytes.
	 */
	static String accessTokenHash(String accessToken) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
			return Base64URL.encode(hash).toString();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from the JDK", ex);
		}
	}

}
