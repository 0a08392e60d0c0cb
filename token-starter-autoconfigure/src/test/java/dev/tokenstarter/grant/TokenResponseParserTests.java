package dev.tokenstarter.grant;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TokenResponseParserTests {

	private final MutableClock clock = MutableClock.startingNow();

	private final TokenResponseParser parser = new TokenResponseParser(Duration.ofMinutes(5), Duration.ofDays(30),
			this.clock);

	@Test
	void expiresInGivesTheLifetime() {
		OAuth2AccessTokenResponse response = parse(200, "{\"access_token\":\"A\",\"expires_in\":\"120\",\"scope\":\"a b\"}");
		assertThat(lifetime(response)).isEqualTo(Duration.ofSeconds(120));
		assertThat(response.getAccessToken().getScopes()).containsExactly("a", "b");
	}

	@Test
	void withoutExpiresInAJwtExpClaimGivesTheLifetime() {
		long exp = this.clock.instant().plusSeconds(900).getEpochSecond();
		String jwt = "eyJhbGciOiJSUzI1NiJ9." + Base64.getUrlEncoder().withoutPadding()
			.encodeToString(("{\"sub\":\"x\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8)) + ".c2ln";
		OAuth2AccessTokenResponse response = parse(200, "{\"access_token\":\"" + jwt + "\"}");
		assertThat(lifetime(response)).isBetween(Duration.ofSeconds(899), Duration.ofSeconds(900));
	}

	@Test
	void withoutExpiresInOrJwtTheDefaultLifetimeApplies() {
		OAuth2AccessTokenResponse response = parse(200, "{\"access_token\":\"opaque\",\"token_type\":\"bearer\"}");
		assertThat(lifetime(response)).isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void aJwtWhosePayloadIsJsonNullGetsTheDefaultLifetime() {
		OAuth2AccessTokenResponse response = parse(200, "{\"access_token\":\"header.bnVsbA.sig\"}");
		assertThat(lifetime(response)).isEqualTo(Duration.ofMinutes(5));
	}

	@ParameterizedTest(name = "payload {0}")
	@ValueSource(strings = { "null", "[1,2]", "\"text\"", "42", "true", "{\"exp\":\"soon\"}", "{\"exp\":null}",
			"{\"exp\":1e30}", "{\"exp\":18446744073709551916}", "{\"exp\":-1e30}", "not json" })
	void aJwtWithoutAUsableExpGetsTheDefaultLifetime(String payload) {
		String jwt = "eyJhbGciOiJSUzI1NiJ9." + Base64.getUrlEncoder().withoutPadding()
			.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
		OAuth2AccessTokenResponse response = parse(200, "{\"access_token\":\"" + jwt + "\"}");
		assertThat(lifetime(response)).isEqualTo(Duration.ofMinutes(5));
	}

	/**
	 * Keycloak answers {@code refresh_expires_in: 0} for an offline token whose session has no maximum lifetime
	 * (keycloak/keycloak#8919): the refresh token is usable, only its lifetime is unknown.
	 */
	@Test
	void aRefreshTokenWithALifetimeOfZeroIsKeptWithoutAnExpiry() {
		OAuth2AccessTokenResponse offline = parse(200,
				"{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":\"R\",\"refresh_expires_in\":0}");
		assertThat(offline.getRefreshToken().getTokenValue()).isEqualTo("R");
		assertThat(offline.getRefreshToken().getExpiresAt()).isNull();
	}

	@Test
	void anExpiredJwtIsRejected() {
		long exp = Instant.now().minusSeconds(60).getEpochSecond();
		String jwt = "e30." + Base64.getUrlEncoder().withoutPadding()
			.encodeToString(("{\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8)) + ".c2ln";
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> parse(200, "{\"access_token\":\"" + jwt + "\"}"))
			.withMessageContaining("exp claim is in the past");
	}

	@Test
	void oauth2ErrorCarriesCodeDescriptionStatusAndRetryAfter() {
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> this.parser.parse(503, "application/json",
					"{\"error\":\"temporarily_unavailable\",\"error_description\":\"try\\nlater\"}".getBytes(),
					Duration.ofSeconds(3)))
			.satisfies((ex) -> {
				assertThat(ex.getStatus()).isEqualTo(503);
				assertThat(ex.getError().getErrorCode()).isEqualTo("temporarily_unavailable");
				assertThat(ex.getError().getDescription()).isEqualTo("try later");
				assertThat(ex.getRetryAfter()).isEqualTo(Duration.ofSeconds(3));
				assertThat(TokenErrors.isTransient(ex)).isTrue();
			});
	}

	@Test
	void errorInA200IsStillAnError() {
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> parse(200, "{\"error\":\"invalid_client\"}"))
			.satisfies((ex) -> assertThat(TokenErrors.isTransient(ex)).isFalse());
	}

	@Test
	void providerTextIsShortenedBeforeItReachesMessages() {
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> parse(400, "{\"error\":\"invalid_request\",\"error_description\":\"" + "d".repeat(5000)
					+ "\"}"))
			.satisfies((ex) -> assertThat(ex.getMessage().length()).isLessThan(400));
	}

	/**
	 * Characters that start a new line or turn text around in a log viewer or a terminal, beyond ASCII's controls:
	 * a hostile provider could forge log lines with them.
	 */
	@Test
	void providerTextLosesEveryCharacterThatRearrangesALogLine() {
		// JSON escapes: the provider's JSON may carry any character so.
		String description = "a\\u0085b\\u009Bc\\u2028d\\u2029e\\u202Ef\\u200Fg\\u0007h";
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> parse(400, "{\"error\":\"invalid_request\",\"error_description\":\"" + description
					+ "\"}"))
			.satisfies((ex) -> {
				assertThat(ex.getError().getDescription()).isEqualTo("a b c d e f g h");
				assertThat(ex.getMessage()).doesNotContainPattern("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");
			});
	}

	private OAuth2AccessTokenResponse parse(int status, String body) {
		return this.parser.parse(status, "application/json", body.getBytes(StandardCharsets.UTF_8), null);
	}

	private static Duration lifetime(OAuth2AccessTokenResponse response) {
		return Duration.between(response.getAccessToken().getIssuedAt(), response.getAccessToken().getExpiresAt());
	}

}
