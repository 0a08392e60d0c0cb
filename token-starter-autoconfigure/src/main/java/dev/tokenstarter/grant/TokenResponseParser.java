package dev.tokenstarter.grant;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;

/**
 * Turns a token endpoint's answer into an {@link OAuth2AccessTokenResponse}, or into a
 * {@link TokenEndpointException} when it is an error or not a usable token. Stricter than Spring Security's
 * default: a missing {@code expires_in} falls back to the JWT's {@code exp} and then to a configured default
 * lifetime instead of one second, a negative or zero lifetime is rejected and one past max-lifetime is cut to it.
 * Tokens that could not be sent back in a header, members given twice and RFC 6749 members of the wrong JSON type
 * are rejected too; a member whose value is JSON {@code null} counts as absent.
 */
class TokenResponseParser implements TokenResponseReader {

	/**
	 * A member given twice is a malformed answer, not a choice of the last value: two parsers of the same answer
	 * (a proxy's and ours) must never see two different tokens.
	 */
	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	static final String WELL_FORMED_OBJECT = "a well-formed JSON object (each member once)";

	private static final int MAX_DESCRIPTION_LENGTH = 200;

	/**
	 * Controls (ASCII's and Latin-1's, such as NEL and CSI), invisible format characters (bidirectional overrides)
	 * and line and paragraph separators: each can break or rearrange a log line.
	 */
	private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

	/** What ends a provider's text that was cut. */
	static final String CUT = "…";

	private final Duration defaultLifetime;

	private final Duration maxLifetime;

	private final Clock clock;

	private final OAuth2AccessToken.TokenType tokenType;

	TokenResponseParser(Duration defaultLifetime, Duration maxLifetime, Clock clock) {
		this(defaultLifetime, maxLifetime, clock, false);
	}

	/**
	 * Creates a parser of a provider's answers.
	 * @param defaultLifetime the lifetime of a token the answer gives none
	 * @param maxLifetime the longest lifetime accepted
	 * @param clock the clock of lifetimes
	 * @param dpop whether the provider's tokens are DPoP-bound: only {@code token_type} DPoP is accepted then, and
	 * only Bearer otherwise
	 */
	TokenResponseParser(Duration defaultLifetime, Duration maxLifetime, Clock clock, boolean dpop) {
		this.defaultLifetime = defaultLifetime;
		this.maxLifetime = maxLifetime;
		this.clock = clock;
		this.tokenType = dpop ? OAuth2AccessToken.TokenType.DPOP : OAuth2AccessToken.TokenType.BEARER;
	}

	@Override
	public OAuth2AccessTokenResponse parse(int status, @Nullable String contentType, byte[] body,
			@Nullable Duration retryAfter) {
		Map<String, Object> json = readJsonObject(body);
		if (status < 200 || status > 299) {
			throw error(status, json, contentType, body.length, retryAfter);
		}
		if (json == null) {
			throw TokenEndpointException.invalidResponse(status,
					"expected " + WELL_FORMED_OBJECT + ", got " + describe(contentType, body.length));
		}
		if (json.get(OAuth2ParameterNames.ERROR) instanceof String) {
			throw error(status, json, contentType, body.length, retryAfter);
		}
		return accessTokenResponse(status, json);
	}

	private OAuth2AccessTokenResponse accessTokenResponse(int status, Map<String, Object> json) {
		String accessToken = accessToken(status, json);
		checkTokenType(status, string(status, json, OAuth2ParameterNames.TOKEN_TYPE));
		String refreshToken = refreshToken(status, json);
		String idToken = string(status, json, OidcParameterNames.ID_TOKEN);
		if (idToken != null && !idToken.isEmpty()) {
			TokenValueSyntax.checkVisible(status, OidcParameterNames.ID_TOKEN, idToken);
		}
		long lifetimeSeconds = lifetimeSeconds(status, json.get(OAuth2ParameterNames.EXPIRES_IN), accessToken);
		Set<String> scopes = scopes(status, json.get(OAuth2ParameterNames.SCOPE));
		Map<String, Object> additional = new LinkedHashMap<>(json);
		additional.keySet()
			.removeAll(Set.of(OAuth2ParameterNames.ACCESS_TOKEN, OAuth2ParameterNames.TOKEN_TYPE,
					OAuth2ParameterNames.EXPIRES_IN, OAuth2ParameterNames.REFRESH_TOKEN, OAuth2ParameterNames.SCOPE));
		return OAuth2AccessTokenResponse.withToken(accessToken)
			.tokenType(this.tokenType)
			.expiresIn(lifetimeSeconds)
			.scopes(scopes)
			.refreshToken(refreshToken)
			.additionalParameters(additional)
			.build();
	}

	/**
	 * A Bearer token where a DPoP-bound one was asked for would be sent without the proof the provider asked
	 * for, and a DPoP-bound token without the key's proof would be refused: neither is stored. RFC 6749 makes
	 * {@code token_type} required, but servers of Bearer tokens often leave it out; a DPoP-bound token always
	 * says so (RFC 9449 section 5).
	 */
	private void checkTokenType(int status, @Nullable String tokenType) {
		if (this.tokenType == OAuth2AccessToken.TokenType.DPOP) {
			if (tokenType == null || !this.tokenType.getValue().equalsIgnoreCase(tokenType)) {
				throw TokenEndpointException.invalidResponse(status, "token_type "
						+ ((tokenType != null) ? "'" + sanitize(tokenType) + "'" : "missing")
						+ " where a DPoP-bound token was asked for (dpop.enabled), only DPoP");
			}
			return;
		}
		if (tokenType != null && !this.tokenType.getValue().equalsIgnoreCase(tokenType)) {
			throw TokenEndpointException.invalidResponse(status,
					"token_type '" + sanitize(tokenType) + "' is not supported, only Bearer");
		}
	}

	/**
	 * Returns the access token of an answer, checked to be one an {@code Authorization} header can carry.
	 * @param status the HTTP status of the answer
	 * @param json the object holding {@code access_token}
	 * @return the access token
	 * @throws TokenEndpointException when there is none or it is not a usable string
	 */
	static String accessToken(int status, Map<String, Object> json) {
		String accessToken = string(status, json, OAuth2ParameterNames.ACCESS_TOKEN);
		if (accessToken == null || accessToken.isBlank()) {
			throw TokenEndpointException.invalidResponse(status, "no access_token in the response");
		}
		TokenValueSyntax.checkAccessToken(status, OAuth2ParameterNames.ACCESS_TOKEN, accessToken);
		return accessToken;
	}

	/**
	 * Returns the refresh token of an answer, checked to be one a token request can carry; an empty one counts
	 * as none.
	 * @param status the HTTP status of the answer
	 * @param json the object holding {@code refresh_token}
	 * @return the refresh token, or null
	 * @throws TokenEndpointException when it is not a usable string
	 */
	static @Nullable String refreshToken(int status, Map<String, Object> json) {
		String refreshToken = string(status, json, OAuth2ParameterNames.REFRESH_TOKEN);
		if (refreshToken == null || refreshToken.isBlank()) {
			return null;
		}
		TokenValueSyntax.checkVisible(status, OAuth2ParameterNames.REFRESH_TOKEN, refreshToken);
		return refreshToken;
	}

	private long lifetimeSeconds(int status, @Nullable Object expiresIn, String accessToken) {
		if (expiresIn == null) {
			Instant exp = JwtExpiry.of(accessToken);
			if (exp == null) {
				return this.defaultLifetime.toSeconds();
			}
			long seconds = Duration.between(this.clock.instant(), exp).toSeconds();
			if (seconds <= 0) {
				throw TokenEndpointException.invalidResponse(status, "the access token's exp claim is in the past");
			}
			return Math.min(seconds, this.maxLifetime.toSeconds());
		}
		BigInteger seconds = wholeSeconds(expiresIn);
		if (seconds == null) {
			throw TokenEndpointException.invalidResponse(status, "expires_in is not a number");
		}
		if (seconds.signum() <= 0) {
			throw TokenEndpointException.invalidResponse(status, "expires_in " + sanitize(seconds.toString())
					+ " is not a positive number of seconds");
		}
		// Cut like a JWT's exp: a provider's "never expires" is a huge expires_in (WSO2 answers 9223372036854775
		// for a validity of -1), which no max-lifetime could take without overflowing the instants built on it.
		return seconds.min(BigInteger.valueOf(this.maxLifetime.toSeconds())).longValueExact();
	}

	/**
	 * Reads a number of seconds from a JSON member: a JSON number, rounded toward zero, or a string of digits
	 * (which some servers send). Never wraps around: a number past {@code long} stays as large as it is, for the
	 * caller's range check.
	 * @param value the member's value
	 * @return the whole seconds, or null when the value is neither
	 */
	static @Nullable BigInteger wholeSeconds(@Nullable Object value) {
		try {
			if (value instanceof Number number) {
				return new BigDecimal(number.toString()).toBigInteger();
			}
			return (value instanceof String string) ? new BigInteger(string.trim()) : null;
		}
		catch (NumberFormatException ex) {
			// A string of words, or of digits with a fraction: the caller names the member that is not a number.
			return null;
		}
	}

	private TokenEndpointException error(int status, @Nullable Map<String, Object> json, @Nullable String contentType,
			int length, @Nullable Duration retryAfter) {
		String code = (json != null) ? text(json, OAuth2ParameterNames.ERROR) : null;
		if (code != null) {
			String description = text(json, OAuth2ParameterNames.ERROR_DESCRIPTION);
			return new TokenEndpointException(status, sanitize(code),
					(description != null) ? sanitize(description) : null, retryAfter);
		}
		String fallback = (status >= 500) ? "server_error" : (status == 429) ? "too_many_requests" : "http_" + status;
		return new TokenEndpointException(status, fallback, describe(contentType, length), retryAfter);
	}

	@SuppressWarnings("unchecked")
	static @Nullable Map<String, Object> readJsonObject(byte[] body) {
		if (body.length == 0) {
			return null;
		}
		try {
			Object value = JSON.readValue(body, Object.class);
			return (value instanceof Map<?, ?> map) ? (Map<String, Object>) map : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	static @Nullable String text(Map<String, Object> json, String name) {
		Object value = json.get(name);
		return (value instanceof String string && !string.isBlank()) ? string : null;
	}

	/**
	 * Returns a member that must be a string when present.
	 * @param status the HTTP status of the answer
	 * @param json the object holding the member
	 * @param name the member's name
	 * @return the string, or null when the member is absent or JSON {@code null}
	 * @throws TokenEndpointException when the member is of another JSON type
	 */
	/**
	 * Reads the granted scopes: RFC 6749's space-delimited string, or a JSON array of strings as some servers send
	 * it. Scopes only describe the token, so this tolerance costs nothing; any other shape is malformed.
	 */
	private static Set<String> scopes(int status, @Nullable Object scope) {
		Set<String> scopes = new LinkedHashSet<>();
		if (scope instanceof List<?> list) {
			for (Object item : list) {
				if (!(item instanceof String text)) {
					throw TokenEndpointException.invalidResponse(status, "scope is a JSON array of other than strings");
				}
				scopes.add(text);
			}
			return scopes;
		}
		String text = string(status, OAuth2ParameterNames.SCOPE, scope);
		if (text != null && !text.isBlank()) {
			scopes.addAll(Arrays.asList(text.trim().split("\\s+")));
		}
		return scopes;
	}

	static @Nullable String string(int status, Map<String, Object> json, String name) {
		return string(status, name, json.get(name));
	}

	private static @Nullable String string(int status, String name, @Nullable Object value) {
		if (value == null || value instanceof String) {
			return (String) value;
		}
		throw TokenEndpointException.invalidResponse(status, name + " is a JSON " + jsonType(value) + ", not a string");
	}

	private static String jsonType(Object value) {
		if (value instanceof Boolean) {
			return "boolean";
		}
		if (value instanceof Number) {
			return "number";
		}
		return (value instanceof List) ? "array" : "object";
	}

	static String describe(@Nullable String contentType, int length) {
		return ((length == 0) ? "an empty body" : "a body of " + length + " bytes") + " with content type "
				+ ((contentType != null) ? sanitize(contentType) : "(none)");
	}

	/**
	 * Keeps provider-supplied text short and printable: it ends up in exceptions and logs.
	 */
	static String sanitize(String text) {
		String printable = UNPRINTABLE.matcher(text).replaceAll(" ");
		return (printable.length() > MAX_DESCRIPTION_LENGTH) ? printable.substring(0, MAX_DESCRIPTION_LENGTH) + CUT
				: printable;
	}

}
