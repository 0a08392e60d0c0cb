package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

/**
 * Reads Nomba's token answers: {@code {"code":"00","description":…,"data":{"access_token":…,"refresh_token":…,
 * "expiresAt":"2026-11-23T10:15:00Z","businessId":…}}}. An HTTP 200 is not success by itself: any code but
 * {@code "00"} is an error. The lifetime is taken from {@code expiresAt}, never assumed, and an envelope
 * without a usable token or expiry is rejected, as are tokens that could not be sent back in a header, members
 * given twice and members of the wrong JSON type ({@code businessId}, informational, is ignored then).
 *
 * <p>At the refresh endpoint every refusal (a non-{@code 00} code such as {@code 02}, or a 4xx other than
 * 429) is reported as {@code invalid_grant}, so that the engine issues a new token instead.
 */
class NombaResponseReader implements TokenResponseReader {

	static final String SUCCESS = "00";

	private static final String INVALID_CREDENTIALS = "01";

	private static final String EXPIRES_AT = "expiresAt";

	private final boolean refresh;

	private final Duration maxLifetime;

	private final Clock clock;

	NombaResponseReader(boolean refresh, Duration maxLifetime, Clock clock) {
		this.refresh = refresh;
		this.maxLifetime = maxLifetime;
		this.clock = clock;
	}

	@Override
	public OAuth2AccessTokenResponse parse(int status, @Nullable String contentType, byte[] body,
			@Nullable Duration retryAfter) {
		Map<String, Object> envelope = TokenResponseParser.readJsonObject(body);
		String code = (envelope != null) ? code(envelope) : null;
		String description = (envelope != null) ? TokenResponseParser.text(envelope, "description") : null;
		if (status < 200 || status > 299) {
			throw httpError(status, code, description, contentType, body.length, retryAfter);
		}
		if (envelope == null || code == null) {
			throw TokenEndpointException.invalidResponse(status,
					"expected Nomba's {\"code\":…,\"data\":…} envelope as " + TokenResponseParser.WELL_FORMED_OBJECT
							+ ", got " + TokenResponseParser.describe(contentType, body.length));
		}
		if (!SUCCESS.equals(code)) {
			throw refusal(status, code, description, null);
		}
		if (!(envelope.get("data") instanceof Map<?, ?> rawData)) {
			throw TokenEndpointException.invalidResponse(status, "no data in Nomba's answer");
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> data = (Map<String, Object>) rawData;
		return tokenResponse(status, data);
	}

	private OAuth2AccessTokenResponse tokenResponse(int status, Map<String, Object> data) {
		String accessToken = TokenResponseParser.accessToken(status, data);
		String refreshToken = TokenResponseParser.refreshToken(status, data);
		long lifetime = lifetimeSeconds(status, TokenResponseParser.string(status, data, EXPIRES_AT));
		OAuth2AccessTokenResponse.Builder response = OAuth2AccessTokenResponse.withToken(accessToken)
			.tokenType(OAuth2AccessToken.TokenType.BEARER)
			.expiresIn(lifetime)
			.refreshToken(refreshToken);
		String businessId = TokenResponseParser.text(data, "businessId");
		if (businessId != null) {
			response.additionalParameters(Map.of("businessId", businessId));
		}
		return response.build();
	}

	private long lifetimeSeconds(int status, @Nullable String expiresAt) {
		if (expiresAt == null || expiresAt.isBlank()) {
			throw TokenEndpointException.invalidResponse(status, "no expiresAt in Nomba's answer");
		}
		Instant expiry;
		try {
			expiry = OffsetDateTime.parse(expiresAt).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw TokenEndpointException.invalidResponse(status,
					"expiresAt '" + TokenResponseParser.sanitize(expiresAt) + "' is not an ISO-8601 date-time with offset");
		}
		long seconds = Duration.between(this.clock.instant(), expiry).toSeconds();
		if (seconds <= 0) {
			throw TokenEndpointException.invalidResponse(status, "expiresAt " + expiry + " is not after now");
		}
		// Cut as any stated lifetime is (see TokenResponseParser).
		return Math.min(seconds, this.maxLifetime.toSeconds());
	}

	private TokenEndpointException httpError(int status, @Nullable String code, @Nullable String description,
			@Nullable String contentType, int length, @Nullable Duration retryAfter) {
		boolean transientFailure = status >= 500 || status == 429;
		if (this.refresh && !transientFailure) {
			return refusal(status, code, description, retryAfter);
		}
		String detail = (code != null) ? "Nomba code " + code + ((description != null) ? ": " + description : "")
				: TokenResponseParser.describe(contentType, length);
		String errorCode = (status >= 500) ? "server_error" : (status == 429) ? "too_many_requests"
				: (status == 401) ? OAuth2ErrorCodes.INVALID_CLIENT : "http_" + status;
		return new TokenEndpointException(status, errorCode, TokenResponseParser.sanitize(detail), retryAfter);
	}

	private TokenEndpointException refusal(int status, @Nullable String code, @Nullable String description,
			@Nullable Duration retryAfter) {
		String detail = "Nomba code " + ((code != null) ? code : "(none)")
				+ ((description != null) ? ": " + description : "");
		String errorCode;
		if (this.refresh) {
			errorCode = OAuth2ErrorCodes.INVALID_GRANT;
		}
		else {
			errorCode = INVALID_CREDENTIALS.equals(code) ? OAuth2ErrorCodes.INVALID_CLIENT : "nomba_" + code;
		}
		return new TokenEndpointException(status, TokenResponseParser.sanitize(errorCode),
				TokenResponseParser.sanitize(detail), retryAfter);
	}

	/**
	 * The docs show the code as a string; a number is read the same way.
	 */
	static @Nullable String code(Map<String, Object> envelope) {
		Object code = envelope.get("code");
		return (code instanceof String || code instanceof Number) ? code.toString() : null;
	}

}
