package dev.tokenstarter.store;

import java.util.Arrays;

/**
 * Stores values unencrypted, for {@code token.store.redis.encryption=false} only. Refuses encrypted values
 * rather than returning their ciphertext.
 */
public class PlaintextTokenCipher implements TokenCipher {

	static final byte FORMAT = 0x00;

	@Override
	public byte[] seal(byte[] plaintext, byte[] associatedData) {
		byte[] sealed = new byte[plaintext.length + 1];
		sealed[0] = FORMAT;
		System.arraycopy(plaintext, 0, sealed, 1, plaintext.length);
		return sealed;
	}

	@Override
	public byte[] open(byte[] sealed, byte[] associatedData) {
		if (sealed.length == 0 || sealed[0] != FORMAT) {
			throw new TamperedValueException("Stored value is encrypted but encryption is switched off");
		}
		return Arrays.copyOfRange(sealed, 1, sealed.length);
	}

}
