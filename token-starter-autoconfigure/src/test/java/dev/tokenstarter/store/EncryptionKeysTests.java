package dev.tokenstarter.store;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import dev.tokenstarter.config.TokenConfigurationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Key ids travel in each sealed value after a one-byte length: an id longer than 255 bytes in UTF-8 could seal
 * values that no instance could open, so it is refused where it is configured.
 */
class EncryptionKeysTests {

	private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

	@Test
	void aKeyIdOfAtMost255BytesIsAccepted() {
		String id = "é".repeat(127);
		assertThat(EncryptionKeys.parse(List.of(id + ":" + KEY))).containsOnlyKeys(id);
	}

	@Test
	void aKeyIdOfMoreThan255BytesInUtf8IsRefusedNamingTheEntry() {
		// 200 characters, 400 bytes: short enough when counted in characters.
		assertThatExceptionOfType(TokenConfigurationException.class)
			.isThrownBy(() -> EncryptionKeys.parse(List.of("k1:" + KEY, "é".repeat(200) + ":" + KEY)))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("token.store.redis.encryption-keys[1]"))
			.withMessageContaining("at most 255 bytes");
	}

	@Test
	void aCipherRefusesAKeyIdItCouldNotWrite() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new AesGcmTokenCipher(Map.of("é".repeat(200), new SecretKeySpec(new byte[32], "AES"))));
	}

}
