package dev.tokenstarter.store;

/**
 * Protects stored token values. The associated data (the Redis key) binds a value to where it is stored, so a
 * value copied under another key does not open.
 */
public interface TokenCipher {

	/**
	 * Encrypts {@code plaintext} bound to {@code associatedData}.
	 * @param plaintext the value
	 * @param associatedData data the value is bound to
	 * @return the sealed value
	 */
	byte[] seal(byte[] plaintext, byte[] associatedData);

	/**
	 * Decrypts a value sealed by {@link #seal}.
	 * @param sealed the sealed value
	 * @param associatedData the data it was bound to
	 * @return the plaintext
	 * @throws TamperedValueException when the value does not open
	 */
	byte[] open(byte[] sealed, byte[] associatedData);

	/**
	 * Whether a value that opens was sealed with a key other than the one that seals now: a value kept for good
	 * (a fleet's DPoP key pair), unlike a token that is renewed, must be sealed again before that key is dropped.
	 * @param sealed the sealed value
	 * @return whether to seal it again
	 */
	default boolean isSealedWithAnOldKey(byte[] sealed) {
		return false;
	}

}
