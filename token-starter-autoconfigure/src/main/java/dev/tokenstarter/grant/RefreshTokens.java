package dev.tokenstarter.grant;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

/**
 * The refresh token of a token response with its lifetime. Spring Security's response builder keeps no expiry
 * for refresh tokens; servers such as Keycloak state it in {@code refresh_expires_in}, and knowing it spares a
 * refused refresh before re-authenticating.
 */
final class RefreshTokens {

	static final String EXPIRES_IN = "refresh_expires_in";

	private RefreshTokens() {
	}

	static @Nullable OAuth2RefreshToken of(OAuth2AccessTokenResponse response) {
		OAuth2RefreshToken refreshToken = response.getRefreshToken();
		Object expiresIn = response.getAdditionalParameters().get(EXPIRES_IN);
		if (refreshToken == null || expiresIn == null) {
			return refreshToken;
		}
		long seconds;
		try {
			seconds = (expiresIn instanceof Number number) ? number.longValue()
					: Long.parseLong(expiresIn.toString().trim());
		}
		catch (NumberFormatException ex) {
			return refreshToken;
		}
		Instant issuedAt = (refreshToken.getIssuedAt() != null) ? refreshToken.getIssuedAt()
				: response.getAccessToken().getIssuedAt();
		if (seconds <= 0 || issuedAt == null) {
			return refreshToken;
		}
		return new OAuth2RefreshToken(refreshToken.getTokenValue(), issuedAt, issuedAt.plusSeconds(seconds));
	}

}
