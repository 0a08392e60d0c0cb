package dev.tokenstarter.grant;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What both readers (RFC 6749 and Nomba's envelope) refuse and what they tolerate, member by member: token values
 * that cannot be sent back in a header, members given twice, members of the wrong JSON type. A refusal is always
 * an {@code invalid_token_response} naming the member, never an unexpected error, and never shows the token.
 */
class TokenResponseValidationTests {

	private final MutableClock clock = MutableClock.startingNow();

	private final TokenResponseParser rfc = new TokenResponseParser(Duration.ofMinutes(5), Duration.ofDays(30),
			this.clock);

	private final NombaResponseReader nomba = new NombaResponseReader(false, Duration.ofDays(30), this.clock);

	/**
	 * Access tokens no header can carry, as JSON string contents; the bad character is always the 7th.
	 */
	static Stream<Arguments> unsendableAccessTokens() {
		return Stream.of(Arguments.of("a carriage return", "SECRET\\rX", "a control character"),
				Arguments.of("a line feed", "SECRET\\nX", "a control character"),
				Arguments.of("a tab", "SECRET\\tX", "a control character"),
				Arguments.of("a NUL", "SECRET\\u0000X", "a control character"),
				Arguments.of("a DEL", "SECRET\\u007fX", "a control character"),
				Arguments.of("a space", "SECRET X", "a space"),
				Arguments.of("a raw non-ASCII letter", "SECRET\u00e9X", "a non-ASCII character"),
				Arguments.of("an escaped non-ASCII letter", "SECRET\\u00e9X", "a non-ASCII character"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("unsendableAccessTokens")
	void anAccessTokenNoHeaderCanCarryIsRefusedWithoutShowingIt(String description, String token, String kind) {
		assertRefused(() -> rfc("{\"access_token\":\"" + token + "\",\"expires_in\":300}"),
				"access_token: character 7 is " + kind);
		assertRefused(() -> nomba("\"access_token\":\"" + token + "\""), "access_token: character 7 is " + kind);
	}

	/**
	 * Salesforce's access tokens hold a {@code !}, outside RFC 6750's b64token, and its APIs take them as they
	 * came: refused, the provider could never be used.
	 */
	@Test
	void anAccessTokenOutsideB64TokenThatAHeaderCarriesIsAccepted() {
		for (String token : new String[] { "00D5e000000XXXX!AQ8AQHbG.x_Y", "SECRET=X", "SECRET:X", "==" }) {
			assertThat(rfc("{\"access_token\":\"" + token + "\",\"expires_in\":300}").getAccessToken().getTokenValue())
				.isEqualTo(token);
			assertThat(nomba("\"access_token\":\"" + token + "\"").getAccessToken().getTokenValue()).isEqualTo(token);
		}
	}

	@Test
	void everyB64TokenCharacterAndTrailingPaddingIsAccepted() {
		String token = "AZaz09-._~+/xyz==";
		assertThat(rfc("{\"access_token\":\"" + token + "\",\"expires_in\":300}").getAccessToken().getTokenValue())
			.isEqualTo(token);
		assertThat(nomba("\"access_token\":\"" + token + "\"").getAccessToken().getTokenValue()).isEqualTo(token);
	}

	/**
	 * Refresh tokens outside RFC 6749's VSCHAR (%x20-7E); the bad character is always the 7th.
	 */
	static Stream<Arguments> unsendableRefreshTokens() {
		return Stream.of(Arguments.of("a carriage return", "SECRET\\rX", "a control character"),
				Arguments.of("a line feed", "SECRET\\nX", "a control character"),
				Arguments.of("a tab", "SECRET\\tX", "a control character"),
				Arguments.of("a DEL", "SECRET\\u007fX", "a control character"),
				Arguments.of("a raw non-ASCII letter", "SECRET\u00fcX", "a non-ASCII character"),
				Arguments.of("an escaped non-ASCII letter", "SECRET\\u20acX", "a non-ASCII character"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("unsendableRefreshTokens")
	void aRefreshTokenOutsideVscharIsRefusedWithoutShowingIt(String description, String token, String kind) {
		assertRefused(() -> rfc("{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":\"" + token + "\"}"),
				"refresh_token: character 7 is " + kind);
		assertRefused(() -> nomba("\"access_token\":\"A\",\"refresh_token\":\"" + token + "\""),
				"refresh_token: character 7 is " + kind);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("unsendableRefreshTokens")
	void anIdTokenOutsideVscharIsRefusedWithoutShowingIt(String description, String token, String kind) {
		assertRefused(() -> rfc("{\"access_token\":\"A\",\"expires_in\":300,\"id_token\":\"" + token + "\"}"),
				"id_token: character 7 is " + kind);
	}

	@Test
	void everyVscharIsAcceptedInARefreshToken() {
		String json = " !#$%&'()*+,-./09:;<=>?@AZ[\\\\]^_`az{|}~\\\"";
		String value = " !#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\"";
		assertThat(rfc("{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":\"" + json + "\"}")
			.getRefreshToken()
			.getTokenValue()).isEqualTo(value);
		assertThat(nomba("\"access_token\":\"A\",\"refresh_token\":\"" + json + "\"").getRefreshToken()
			.getTokenValue()).isEqualTo(value);
	}

	static Stream<Arguments> duplicateMembers() {
		return Stream.of(Arguments.of("access_token twice", "{\"access_token\":\"A\",\"access_token\":\"B\"}"),
				Arguments.of("access_token twice, same value", "{\"access_token\":\"A\",\"access_token\":\"A\"}"),
				Arguments.of("expires_in twice", "{\"access_token\":\"A\",\"expires_in\":30,\"expires_in\":3000}"),
				Arguments.of("refresh_token twice",
						"{\"access_token\":\"A\",\"refresh_token\":\"R1\",\"refresh_token\":\"R2\"}"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("duplicateMembers")
	void aMemberGivenTwiceIsAMalformedAnswer(String description, String json) {
		assertRefused(() -> rfc(json), "well-formed JSON object");
	}

	@Test
	void aMemberGivenTwiceInNombasEnvelopeIsAMalformedAnswer() {
		assertRefused(() -> nomba("\"access_token\":\"A\",\"access_token\":\"B\""), "well-formed JSON object");
		assertRefused(() -> this.nomba.parse(200, "application/json",
				("{\"code\":\"00\",\"code\":\"01\",\"data\":{\"access_token\":\"A\",\"expiresAt\":\"" + expiresAt()
						+ "\"}}").getBytes(StandardCharsets.UTF_8),
				null), "well-formed JSON object");
	}

	/**
	 * RFC 6749 members of the wrong JSON type.
	 */
	static Stream<Arguments> misTypedMembers() {
		return Stream.of(Arguments.of("access_token a number", "{\"access_token\":12345}", "access_token is a JSON number"),
				Arguments.of("access_token true", "{\"access_token\":true}", "access_token is a JSON boolean"),
				Arguments.of("access_token an array", "{\"access_token\":[\"A\"]}", "access_token is a JSON array"),
				Arguments.of("access_token an object", "{\"access_token\":{\"v\":\"A\"}}", "access_token is a JSON object"),
				Arguments.of("token_type a number", "{\"access_token\":\"A\",\"token_type\":1}", "token_type is a JSON number"),
				Arguments.of("token_type an array", "{\"access_token\":\"A\",\"token_type\":[\"Bearer\"]}",
						"token_type is a JSON array"),
				Arguments.of("expires_in true", "{\"access_token\":\"A\",\"expires_in\":true}", "expires_in is not a number"),
				Arguments.of("expires_in an array", "{\"access_token\":\"A\",\"expires_in\":[300]}", "expires_in is not a number"),
				Arguments.of("expires_in an object", "{\"access_token\":\"A\",\"expires_in\":{\"s\":300}}",
						"expires_in is not a number"),
				Arguments.of("expires_in a decimal string", "{\"access_token\":\"A\",\"expires_in\":\"300.5\"}",
						"expires_in is not a number"),
				Arguments.of("expires_in under a second", "{\"access_token\":\"A\",\"expires_in\":0.5}",
						"expires_in 0 is not a positive number of seconds"),
				Arguments.of("expires_in negative", "{\"access_token\":\"A\",\"expires_in\":-300}",
						"expires_in -300 is not a positive number of seconds"),
				Arguments.of("scope an array of numbers", "{\"access_token\":\"A\",\"expires_in\":300,\"scope\":[1,2]}",
						"scope is a JSON array of other than strings"),
				Arguments.of("scope an object", "{\"access_token\":\"A\",\"expires_in\":300,\"scope\":{\"a\":1}}",
						"scope is a JSON object"),
				Arguments.of("refresh_token a number", "{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":12345}",
						"refresh_token is a JSON number"),
				Arguments.of("refresh_token an object",
						"{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":{\"v\":\"R\"}}",
						"refresh_token is a JSON object"),
				Arguments.of("id_token a number", "{\"access_token\":\"A\",\"expires_in\":300,\"id_token\":5}",
						"id_token is a JSON number"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("misTypedMembers")
	void aMemberOfTheWrongTypeIsAClearRefusal(String description, String json, String expected) {
		assertRefused(() -> rfc(json), expected);
	}

	/**
	 * A lifetime past max-lifetime is cut to it, as a JWT's exp is: WSO2 says "never expires" with
	 * {@code expires_in} 9223372036854775, and a number past any {@code long} must not wrap around to a short one.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "2592001", "9223372036854775", "18446744073709551916", "1e300" })
	void aLifetimePastMaxLifetimeIsCutToIt(String expiresIn) {
		OAuth2AccessToken token = rfc("{\"access_token\":\"A\",\"expires_in\":" + expiresIn + "}").getAccessToken();
		assertThat(Duration.between(token.getIssuedAt(), token.getExpiresAt())).isEqualTo(Duration.ofDays(30));
	}

	@Test
	void aNombaExpiryPastMaxLifetimeIsCutToIt() {
		String json = "{\"code\":\"00\",\"description\":\"Success\",\"data\":{\"access_token\":\"A\",\"expiresAt\":\""
				+ this.clock.instant().plus(Duration.ofDays(36500)) + "\"}}";
		OAuth2AccessToken token = this.nomba.parse(200, "application/json", json.getBytes(StandardCharsets.UTF_8), null)
			.getAccessToken();
		assertThat(Duration.between(token.getIssuedAt(), token.getExpiresAt())).isEqualTo(Duration.ofDays(30));
	}

	/**
	 * Nomba members of the wrong JSON type.
	 */
	static Stream<Arguments> misTypedNombaMembers() {
		String expiry = "\"expiresAt\":\"" + Instant.now().plusSeconds(1800) + "\"";
		return Stream.of(
				Arguments.of("access_token a number", "{\"code\":\"00\",\"data\":{\"access_token\":12345," + expiry + "}}",
						"access_token is a JSON number"),
				Arguments.of("refresh_token a number",
						"{\"code\":\"00\",\"data\":{\"access_token\":\"A\",\"refresh_token\":12345," + expiry + "}}",
						"refresh_token is a JSON number"),
				Arguments.of("expiresAt a number",
						"{\"code\":\"00\",\"data\":{\"access_token\":\"A\",\"expiresAt\":1800000000}}",
						"expiresAt is a JSON number"),
				Arguments.of("data an array", "{\"code\":\"00\",\"data\":[{\"access_token\":\"A\"}]}", "no data"),
				Arguments.of("code a boolean", "{\"code\":true,\"data\":{\"access_token\":\"A\"," + expiry + "}}",
						"envelope"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("misTypedNombaMembers")
	void aNombaMemberOfTheWrongTypeIsAClearRefusal(String description, String json, String expected) {
		assertRefused(() -> this.nomba.parse(200, "application/json", json.getBytes(StandardCharsets.UTF_8), null),
				expected);
	}

	@Test
	void documentedTolerances() {
		assertThat(rfc("{\"access_token\":\"A\",\"expires_in\":300}").getAccessToken().getTokenType().getValue())
			.isEqualTo("Bearer");
		assertThat(rfc("{\"access_token\":\"A\",\"token_type\":null,\"expires_in\":300}").getAccessToken()
			.getTokenType()
			.getValue()).isEqualTo("Bearer");
		assertThat(lifetime(rfc("{\"access_token\":\"A\",\"expires_in\":\"300\"}"))).isEqualTo(Duration.ofSeconds(300));
		assertThat(lifetime(rfc("{\"access_token\":\"A\",\"expires_in\":300.7}"))).isEqualTo(Duration.ofSeconds(300));
		assertThat(rfc("{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":\"\"}").getRefreshToken()).isNull();
		assertThat(rfc("{\"access_token\":\"A\",\"expires_in\":300,\"scope\":null}").getAccessToken().getScopes())
			.isEmpty();
		assertThat(rfc("{\"access_token\":\"A\",\"expires_in\":300,\"scope\":[\"read\",\"write\"]}").getAccessToken()
			.getScopes()).containsExactly("read", "write");
		assertThat(this.rfc
			.parse(200, "text/plain", "{\"access_token\":\"A\",\"expires_in\":300}".getBytes(StandardCharsets.UTF_8),
					null)
			.getAccessToken()
			.getTokenValue()).isEqualTo("A");
		assertThat(nomba("\"access_token\":\"A\",\"businessId\":42").getAdditionalParameters()).isEmpty();
	}

	/**
	 * {@code refresh_expires_in} is Keycloak's, not RFC 6749's: a value that is no usable lifetime is ignored (the
	 * refresh token is kept without a stated expiry) instead of failing the grant.
	 */
	static Stream<Arguments> unusableRefreshLifetimes() {
		return Stream.of(Arguments.of("true"), Arguments.of("[1800]"), Arguments.of("\"soon\""), Arguments.of("1e30"),
				Arguments.of("18446744073709553416"), Arguments.of("9223372036854775807"));
	}

	@ParameterizedTest(name = "refresh_expires_in {0}")
	@MethodSource("unusableRefreshLifetimes")
	void aRefreshLifetimeThatIsNoUsableNumberIsIgnored(String refreshExpiresIn) {
		OAuth2AccessTokenResponse response = rfc("{\"access_token\":\"A\",\"expires_in\":300,\"refresh_token\":\"R\","
				+ "\"refresh_expires_in\":" + refreshExpiresIn + "}");
		ClientRegistration registration = ClientRegistration.withRegistrationId("acme")
			.clientId("client")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("https://example.com/token")
			.build();
		OAuth2AuthorizedClient client = new ClientCredentialsGrantProvider((request) -> Mono.just(response))
			.authorize(OAuth2AuthorizationContext.withClientRegistration(registration)
				.principal(new TestingAuthenticationToken("app", null))
				.build())
			.block();
		assertThat(client.getRefreshToken().getTokenValue()).isEqualTo("R");
		assertThat(client.getRefreshToken().getExpiresAt()).isNull();
	}

	private static void assertRefused(Runnable parse, String expected) {
		assertThatExceptionOfType(TokenEndpointException.class).isThrownBy(parse::run).satisfies((ex) -> {
			assertThat(ex.getError().getErrorCode()).isEqualTo(TokenEndpointException.INVALID_TOKEN_RESPONSE);
			assertThat(ex.getError().getDescription()).contains(expected);
			assertThat(ex.getMessage()).doesNotContain("SECRET");
			assertThat(TokenErrors.isTransient(ex)).isFalse();
		});
	}

	private OAuth2AccessTokenResponse rfc(String json) {
		return this.rfc.parse(200, "application/json", json.getBytes(StandardCharsets.UTF_8), null);
	}

	/**
	 * Parses a successful Nomba answer whose data holds {@code members} and an expiry 30 minutes away.
	 */
	private OAuth2AccessTokenResponse nomba(String members) {
		String json = "{\"code\":\"00\",\"description\":\"Success\",\"data\":{" + members + ",\"expiresAt\":\""
				+ expiresAt() + "\"}}";
		return this.nomba.parse(200, "application/json", json.getBytes(StandardCharsets.UTF_8), null);
	}

	private String expiresAt() {
		return this.clock.instant().plusSeconds(1800).toString();
	}

	private static Duration lifetime(OAuth2AccessTokenResponse response) {
		return Duration.between(response.getAccessToken().getIssuedAt(), response.getAccessToken().getExpiresAt());
	}

}
