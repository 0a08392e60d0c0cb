package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A refusal's message goes to the logs ("Ignoring the stored token…"): it names a key id read from the stored
 * bytes only when that id is one a configuration could hold, never raw bytes of the value.
 */
class AesGcmTokenCipherTests {

	private static final byte[] AAD = "token-starter:client:acme:app".getBytes(StandardCharsets.UTF_8);

	private final AesGcmTokenCipher cipher = new AesGcmTokenCipher(Map.of("k1", new SecretKeySpec(new byte[32], "AES")));

	@Test
	void aValueWhoseKeyIdLengthWasAlteredIsRefusedWithoutPrintingTheBytesItPointsAt() {
		byte[] sealed = this.cipher.seal(("{\"token\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8), AAD);
		sealed[1] = 20;
		assertThatExceptionOfType(TamperedValueException.class).isThrownBy(() -> this.cipher.open(sealed, AAD))
			.withMessage("Stored value was encrypted with a key id that is not among token.store.redis.encryption-keys");
	}

	@Test
	void aValueSealedUnderAKeyIdWithAControlCharacterIsRefusedWithoutPrintingIt() {
		byte[] sealed = new AesGcmTokenCipher(Map.of("k2\r\nforged log line", new SecretKeySpec(new byte[32], "AES")))
			.seal(new byte[] { 1 }, AAD);
		assertThatExceptionOfType(TamperedValueException.class).isThrownBy(() -> this.cipher.open(sealed, AAD))
			.withMessage("Stored value was encrypted with a key id that is not among token.store.redis.encryption-keys");
	}

	@Test
	void aValueSealedUnderAnotherPrintableKeyIdNamesIt() {
		byte[] sealed = new AesGcmTokenCipher(Map.of("k2", new SecretKeySpec(new byte[32], "AES"))).seal(new byte[] { 1 },
				AAD);
		assertThatExceptionOfType(TamperedValueException.class).isThrownBy(() -> this.cipher.open(sealed, AAD))
			.withMessage("Stored value was encrypted with key 'k2', which is not among token.store.redis.encryption-keys");
	}

}
