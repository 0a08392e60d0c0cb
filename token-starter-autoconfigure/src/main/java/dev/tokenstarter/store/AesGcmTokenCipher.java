package dev.tokenstarter.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM through the JCA, with key ids so keys rotate without downtime: the first key seals, every key
 * opens the values sealed with it. Layout: format byte, key id length and key id, 12-byte nonce, ciphertext
 * with its 16-byte tag.
 */
public class AesGcmTokenCipher implements TokenCipher {

	static final byte FORMAT = 0x01;

	/** A sealed value holds its key id after a one-byte length. */
	static final int MAX_KEY_ID_BYTES = 255;

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private final SecureRandom random = new SecureRandom();

	private final Map<String, SecretKey> keys;

	private final String sealingKeyId;

	/**
	 * Creates a cipher.
	 * @param keys the keys by id, in order: the first seals
	 */
	public AesGcmTokenCipher(Map<String, SecretKey> keys) {
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("At least one key is needed");
		}
		for (String id : keys.keySet()) {
			if (!isWritableKeyId(id)) {
				throw new IllegalArgumentException("A key id must be at most " + MAX_KEY_ID_BYTES
						+ " bytes in UTF-8, not " + id.length() + " characters");
			}
		}
		this.keys = Map.copyOf(keys);
		this.sealingKeyId = keys.keySet().iterator().next();
	}

	/**
	 * Whether a key id fits in a sealed value: at most {@link #MAX_KEY_ID_BYTES} bytes in UTF-8.
	 * @param id the key id
	 * @return whether values can be sealed under it and opened again
	 */
	static boolean isWritableKeyId(String id) {
		return id.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_ID_BYTES;
	}

	@Override
	public byte[] seal(byte[] plaintext, byte[] associatedData) {
		byte[] keyId = this.sealingKeyId.getBytes(StandardCharsets.UTF_8);
		byte[] nonce = new byte[NONCE_BYTES];
		this.random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.keys.get(this.sealingKeyId), new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(associatedData);
			byte[] ciphertext = cipher.doFinal(plaintext);
			return ByteBuffer.allocate(2 + keyId.length + NONCE_BYTES + ciphertext.length)
				.put(FORMAT)
				.put((byte) keyId.length)
				.put(keyId)
				.put(nonce)
				.put(ciphertext)
				.array();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM encryption failed", ex);
		}
	}

	/**
	 * Whether a key id read from a stored value can be named in a log line: an altered value may point the id at
	 * its own random bytes, or carry line breaks that would forge log lines.
	 */
	private static boolean printable(String keyId) {
		return keyId.codePoints()
			.noneMatch((c) -> Character.isISOControl(c) || c == 0xFFFD || c == 0x2028 || c == 0x2029);
	}

	@Override
	public boolean isSealedWithAnOldKey(byte[] sealed) {
		if (sealed.length < 2 || sealed[0] != FORMAT || sealed.length < 2 + (sealed[1] & 0xFF)) {
			return false;
		}
		return !this.sealingKeyId.equals(new String(sealed, 2, sealed[1] & 0xFF, StandardCharsets.UTF_8));
	}

	@Override
	public byte[] open(byte[] sealed, byte[] associatedData) {
		if (sealed.length < 2 || sealed[0] != FORMAT) {
			throw new TamperedValueException("Stored value is not AES-GCM encrypted");
		}
		int keyIdLength = sealed[1] & 0xFF;
		if (sealed.length < 2 + keyIdLength + NONCE_BYTES + TAG_BITS / 8) {
			throw new TamperedValueException("Stored value is truncated");
		}
		String keyId = new String(sealed, 2, keyIdLength, StandardCharsets.UTF_8);
		SecretKey key = this.keys.get(keyId);
		if (key == null) {
			throw new TamperedValueException("Stored value was encrypted with "
					+ (printable(keyId) ? "key '" + keyId + "', which" : "a key id that")
					+ " is not among token.store.redis.encryption-keys");
		}
		int nonceOffset = 2 + keyIdLength;
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, nonceOffset, NONCE_BYTES));
			cipher.updateAAD(associatedData);
			int ciphertextOffset = nonceOffset + NONCE_BYTES;
			return cipher.doFinal(sealed, ciphertextOffset, sealed.length - ciphertextOffset);
		}
		catch (GeneralSecurityException ex) {
			throw new TamperedValueException("Stored value failed authentication", ex);
		}
	}

}
