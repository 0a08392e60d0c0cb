package dev.tokenstarter.store;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import dev.tokenstarter.config.TokenConfigurationException;

/**
 * Reads {@code token.store.redis.encryption-keys}: entries "id:base64" of 32-byte AES keys, the first used to
 * encrypt. Errors name the entry, never its key material.
 */
public final class EncryptionKeys {

	static final String PROPERTY = "token.store.redis.encryption-keys";

	private static final String HOW_TO = "make one with: openssl rand -base64 32, and set " + PROPERTY
			+ "=k1:<that value> (or set token.store.redis.encryption=false to store tokens unencrypted)";

	private EncryptionKeys() {
	}

	/**
	 * Parses the configured keys.
	 * @param entries the property's entries
	 * @return the keys by id, in configuration order
	 * @throws TokenConfigurationException when none is given or one is malformed
	 */
	public static Map<String, SecretKey> parse(List<String> entries) {
		if (entries.isEmpty()) {
			throw new TokenConfigurationException(PROPERTY,
					"is required: the Redis store encrypts tokens at rest with AES-256-GCM; " + HOW_TO);
		}
		Map<String, SecretKey> keys = new LinkedHashMap<>();
		for (int i = 0; i < entries.size(); i++) {
			String property = PROPERTY + "[" + i + "]";
			String entry = entries.get(i).trim();
			int colon = entry.indexOf(':');
			if (colon <= 0) {
				throw new TokenConfigurationException(property, "must be 'id:base64-key' with a non-empty id; " + HOW_TO);
			}
			String id = entry.substring(0, colon);
			if (!AesGcmTokenCipher.isWritableKeyId(id)) {
				throw new TokenConfigurationException(property, "has a key id of more than "
						+ AesGcmTokenCipher.MAX_KEY_ID_BYTES + " bytes in UTF-8: each sealed value holds its key id "
						+ "after a one-byte length, so an id must be at most " + AesGcmTokenCipher.MAX_KEY_ID_BYTES
						+ " bytes");
			}
			byte[] material;
			try {
				material = Base64.getDecoder().decode(entry.substring(colon + 1));
			}
			catch (IllegalArgumentException ex) {
				throw new TokenConfigurationException(property, "(key '" + id + "') is not valid base64; " + HOW_TO);
			}
			if (material.length != 32) {
				throw new TokenConfigurationException(property,
						"(key '" + id + "') must be 32 bytes for AES-256, not " + material.length + "; " + HOW_TO);
			}
			if (keys.put(id, new SecretKeySpec(material, "AES")) != null) {
				throw new TokenConfigurationException(property, "repeats the key id '" + id + "'");
			}
		}
		return keys;
	}

}
