package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the store writes of a DPoP-bound token: its type and the thumbprint of its key, read back as written; a
 * Bearer entry is written as before, and an entry written before either existed reads as a token bound to no key.
 */
class StoredDpopTokenTests {

	private static final ClientRegistration REGISTRATION = ClientRegistration.withRegistrationId("sas")
		.clientId("client")
		.tokenUri("https://auth.example.com/token")
		.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
		.build();

	private static final Instant ISSUED = Instant.parse("2026-11-29T10:00:00Z");

	private final AuthorizedClientCodec codec = new AuthorizedClientCodec();

	@Test
	void aDpopTokenIsReadBackAsDpopWithTheThumbprintOfItsKey() {
		byte[] json = this.codec.encode(client(OAuth2AccessToken.TokenType.DPOP), "jkt-1");
		AuthorizedClientCodec.BoundClient read = this.codec.decodeBound(json, REGISTRATION, "app");
		assertThat(read.keyThumbprint()).isEqualTo("jkt-1");
		OAuth2AccessToken token = read.client().getAccessToken();
		assertThat(token.getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.DPOP);
		assertThat(token.getTokenValue()).isEqualTo("ACCESS");
		assertThat(token.getScopes()).containsExactly("accounts");
		assertThat(token.getExpiresAt()).isEqualTo(ISSUED.plusSeconds(300));
		assertThat(read.client().getRefreshToken().getTokenValue()).isEqualTo("REFRESH");
	}

	@Test
	void aBearerEntryIsWrittenAsBeforeAndReadAsBoundToNoKey() {
		byte[] json = this.codec.encode(client(OAuth2AccessToken.TokenType.BEARER));
		String text = new String(json, StandardCharsets.UTF_8);
		assertThat(text).doesNotContain("tokenType\":\"").doesNotContain("keyThumbprint");
		AuthorizedClientCodec.BoundClient read = this.codec.decodeBound(json, REGISTRATION, "app");
		assertThat(read.keyThumbprint()).isNull();
		assertThat(read.client().getAccessToken().getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.BEARER);
	}

	@Test
	void aTokenOfAnUnknownTypeDoesNotOpen() {
		String dpop = new String(this.codec.encode(client(OAuth2AccessToken.TokenType.DPOP), "jkt-1"),
				StandardCharsets.UTF_8);
		byte[] other = dpop.replace("\"DPoP\"", "\"MAC\"").getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(TamperedValueException.class)
			.isThrownBy(() -> this.codec.decodeBound(other, REGISTRATION, "app"));
	}

	private static OAuth2AuthorizedClient client(OAuth2AccessToken.TokenType type) {
		return new OAuth2AuthorizedClient(REGISTRATION, "app",
				new OAuth2AccessToken(type, "ACCESS", ISSUED, ISSUED.plusSeconds(300), Set.of("accounts")),
				new OAuth2RefreshToken("REFRESH", ISSUED));
	}

}
