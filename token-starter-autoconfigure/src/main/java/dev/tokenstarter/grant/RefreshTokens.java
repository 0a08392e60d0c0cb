package dev.tokenstarter.grant;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

/**
 * The refresh token of a token response with its lifetime. Spring Security's response builder keeps no expiry
 * for refresh tokens; servers such as Keycloak state it in {@code refresh_expires_in}, and knowing it spares a
 * refused refresh before re-authenticating. A stated lifetime that is no usable number of seconds is ignored, as
 * if none were stated: the member is not RFC 6749's, and the refresh token itself is fine.
 */
final class RefreshTokens {

	static final String EXPIRES_IN = "refresh_expires_in";

	/**
	 * Past this, a stated lifetime means "does not expire", and taken literally it would overflow the
	 * millisecond arithmetic of the stores (Redis time-to-live).
	 */
	private static final BigInteger LONGEST_LIFETIME = BigInteger.valueOf(Duration.ofDays(100L * 365).toSeconds());

	private RefreshTokens() {
	}

	static @Nullable OAuth2RefreshToken of(OAuth2AccessTokenResponse response) {
		OAuth2RefreshToken refreshToken = response.getRefreshToken();
		Object expiresIn = response.getAdditionalParameters().get(EXPIRES_IN);
		if (refreshToken == null || expiresIn == null) {
			return refreshToken;
		}
		BigInteger seconds = TokenResponseParser.wholeSeconds(expiresIn);
		Instant issuedAt = (refreshToken.getIssuedAt() != null) ? refreshToken.getIssuedAt()
				: response.getAccessToken().getIssuedAt();
		if (seconds == null || seconds.signum() <= 0 || seconds.compareTo(LONGEST_LIFETIME) > 0 || issuedAt == null) {
			return refreshToken;
		}
		return new OAuth2RefreshToken(refreshToken.getTokenValue(), issuedAt,
				issuedAt.plusSeconds(seconds.longValueExact()));
	}

}
