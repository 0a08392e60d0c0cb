package dev.tokenstarter.grant;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@code exp} claim of an access token that is a JWT. The signature is not verified: the token is not
 * trusted for anything but guessing its lifetime when the provider did not say it.
 */
final class JwtExpiry {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private JwtExpiry() {
	}

	/**
	 * Returns the token's expiry, or null when it is not a JWT, its payload is not a JSON object (a JSON
	 * {@code null}, array, string or number) or it has no {@code exp} that is a number of seconds an
	 * {@link Instant} can hold.
	 */
	static @Nullable Instant of(String token) {
		int first = token.indexOf('.');
		int second = (first < 0) ? -1 : token.indexOf('.', first + 1);
		if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
			return null;
		}
		try {
			byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
			if (!(JSON.readValue(payload, Object.class) instanceof Map<?, ?> claims)
					|| !(claims.get("exp") instanceof Number exp)) {
				return null;
			}
			BigInteger seconds = TokenResponseParser.wholeSeconds(exp);
			boolean representable = seconds != null
					&& seconds.compareTo(BigInteger.valueOf(Instant.MIN.getEpochSecond())) >= 0
					&& seconds.compareTo(BigInteger.valueOf(Instant.MAX.getEpochSecond())) <= 0;
			return representable ? Instant.ofEpochSecond(seconds.longValueExact()) : null;
		}
		catch (IllegalArgumentException | JacksonException ex) {
			return null;
		}
	}

}
