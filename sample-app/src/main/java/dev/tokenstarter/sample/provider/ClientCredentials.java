package dev.tokenstarter.sample.provider;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The client id and secret of a token request, from HTTP Basic or from the body. The demo accepts any
 * non-blank pair: it shows the starter's behaviour, not an identity store.
 *
 * @param clientId the client id, or null
 * @param clientSecret the client secret, or null
 */
record ClientCredentials(@Nullable String clientId, @Nullable String clientSecret) {

	static ClientCredentials of(HttpHeaders headers, Map<String, String> body) {
		String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
					StandardCharsets.UTF_8);
			int colon = decoded.indexOf(':');
			if (colon > 0) {
				return new ClientCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
			}
		}
		return new ClientCredentials(body.get("client_id"), body.get("client_secret"));
	}

	boolean present() {
		return this.clientId != null && !this.clientId.isBlank() && this.clientSecret != null
				&& !this.clientSecret.isBlank();
	}

}
