package dev.tokenstarter.ssl;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The latest DPoP nonce each server gave (RFC 9449 section 8), by origin: a server that asks for nonces wants the
 * one it gave last in every proof, and a token endpoint and an API on different origins keep nonces of their own.
 * A value that could not be sent back in a proof is not kept.
 */
final class DpopNonces {

	/** Far beyond any real nonce; bounds what a server can make every proof carry. */
	private static final int MAX_LENGTH = 1024;

	/** Origins are few (a provider's token endpoint and its API); a bound keeps a misbehaving caller in check. */
	private static final int MAX_ORIGINS = 10_000;

	private final Map<String, String> nonces = new ConcurrentHashMap<>();

	@Nullable String nonce(URI uri) {
		return this.nonces.get(origin(uri));
	}

	/**
	 * Keeps a nonce a server gave.
	 * @param uri where the request went
	 * @param nonce the {@code DPoP-Nonce} of the response, or null
	 * @return whether the nonce is usable and now the one kept
	 */
	boolean follow(URI uri, @Nullable String nonce) {
		if (nonce == null || !isNonce(nonce)) {
			return false;
		}
		String origin = origin(uri);
		if (this.nonces.size() >= MAX_ORIGINS && !this.nonces.containsKey(origin)) {
			this.nonces.clear();
		}
		this.nonces.put(origin, nonce);
		return true;
	}

	/**
	 * RFC 9449 section 8.1: {@code nonce = 1*NQCHAR}, printable ASCII without the quote and the backslash.
	 */
	private static boolean isNonce(String value) {
		if (value.isEmpty() || value.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
				return false;
			}
		}
		return true;
	}

	/**
	 * RFC 6454 origins: https://api.example.com and https://API.example.com:443 are one server. A name
	 * {@code java.net.URI} does not take for a host (an underscore in it, say) is the origin as written, less any
	 * user: two such servers are two origins, not one without a host.
	 */
	private static String origin(URI uri) {
		String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
		if (uri.getHost() == null) {
			String authority = String.valueOf(uri.getRawAuthority());
			return scheme + "://" + authority.substring(authority.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
		}
		int port = (uri.getPort() != -1) ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
		return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
	}

}
