package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;

/**
 * Turns a token endpoint's answer into an {@link OAuth2AccessTokenResponse}, or into a
 * {@link TokenEndpointException} when it is an error or not a usable token. Stricter than Spring Security's
 * default: a missing {@code expires_in} falls back to the JWT's {@code exp} and then to a configured default
 * lifetime instead of one second, and a negative, zero or absurd lifetime is rejected.
 */
public class TokenResponseParser implements TokenResponseReader {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int MAX_DESCRIPTION_LENGTH = 200;

	private final Duration defaultLifetime;

	private final Duration maxLifetime;

	private final Clock clock;

	public TokenResponseParser(Duration defaultLifetime, Duration maxLifetime, Clock clock) {
		this.defaultLifetime = defaultLifetime;
		this.maxLifetime = maxLifetime;
		this.clock = clock;
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
					"expected a JSON object, got " + describe(contentType, body.length));
		}
		if (json.get(OAuth2ParameterNames.ERROR) instanceof String) {
			throw error(status, json, contentType, body.length, retryAfter);
		}
		return accessTokenResponse(status, json);
	}

	private OAuth2AccessTokenResponse accessTokenResponse(int status, Map<String, Object> json) {
		String accessToken = text(json, OAuth2ParameterNames.ACCESS_TOKEN);
		if (accessToken == null) {
			throw TokenEndpointException.invalidResponse(status, "no access_token in the response");
		}
		Object tokenType = json.get(OAuth2ParameterNames.TOKEN_TYPE);
		if (tokenType != null && !OAuth2AccessToken.TokenType.BEARER.getValue().equalsIgnoreCase(tokenType.toString())) {
			throw TokenEndpointException.invalidResponse(status,
					"token_type '" + sanitize(tokenType.toString()) + "' is not supported, only Bearer");
		}
		long lifetimeSeconds = lifetimeSeconds(status, json.get(OAuth2ParameterNames.EXPIRES_IN), accessToken);
		Set<String> scopes = new LinkedHashSet<>();
		String scope = text(json, OAuth2ParameterNames.SCOPE);
		if (scope != null) {
			scopes.addAll(Arrays.asList(scope.trim().split("\\s+")));
		}
		Map<String, Object> additional = new LinkedHashMap<>(json);
		additional.keySet()
			.removeAll(Set.of(OAuth2ParameterNames.ACCESS_TOKEN, OAuth2ParameterNames.TOKEN_TYPE,
					OAuth2ParameterNames.EXPIRES_IN, OAuth2ParameterNames.REFRESH_TOKEN, OAuth2ParameterNames.SCOPE));
		return OAuth2AccessTokenResponse.withToken(accessToken)
			.tokenType(OAuth2AccessToken.TokenType.BEARER)
			.expiresIn(lifetimeSeconds)
			.scopes(scopes)
			.refreshToken(usableRefreshToken(json))
			.additionalParameters(additional)
			.build();
	}

	/**
	 * Returns the refresh token, unless the server says it cannot be used: a {@code refresh_expires_in} of 0
	 * (Keycloak's and Pagstar's way of saying so) means re-authenticating instead of trying a refresh.
	 */
	private static @Nullable String usableRefreshToken(Map<String, Object> json) {
		Object refreshExpiresIn = json.get("refresh_expires_in");
		if (refreshExpiresIn != null && "0".equals(refreshExpiresIn.toString().trim())) {
			return null;
		}
		return text(json, OAuth2ParameterNames.REFRESH_TOKEN);
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
		long seconds;
		try {
			seconds = (expiresIn instanceof Number number) ? number.longValue()
					: Long.parseLong(expiresIn.toString().trim());
		}
		catch (NumberFormatException ex) {
			throw TokenEndpointException.invalidResponse(status, "expires_in is not a number");
		}
		if (seconds <= 0 || seconds > this.maxLifetime.toSeconds()) {
			throw TokenEndpointException.invalidResponse(status, "expires_in " + seconds
					+ " is outside 1.." + this.maxLifetime.toSeconds() + " seconds (see refresh.max-lifetime)");
		}
		return seconds;
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

	static String describe(@Nullable String contentType, int length) {
		return ((length == 0) ? "an empty body" : "a body of " + length + " bytes") + " with content type "
				+ ((contentType != null) ? sanitize(contentType) : "(none)");
	}

	/**
	 * Keeps provider-supplied text short and printable: it ends up in exceptions and logs.
	 */
	static String sanitize(String text) {
		String printable = text.replaceAll("\\p{Cntrl}", " ");
		return (printable.length() > MAX_DESCRIPTION_LENGTH) ? printable.substring(0, MAX_DESCRIPTION_LENGTH) + "…"
				: printable;
	}

}
