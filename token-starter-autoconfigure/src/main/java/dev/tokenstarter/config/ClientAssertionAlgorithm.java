package dev.tokenstarter.config;

/**
 * The JWS algorithm a private_key_jwt client assertion is signed with.
 */
public enum ClientAssertionAlgorithm {

	/**
	 * RSASSA-PKCS1-v1_5 with SHA-256: an RSA key.
	 */
	RS256,

	/**
	 * RSASSA-PSS with SHA-256: an RSA key. Entra ID asks for it with certificates.
	 */
	PS256,

	/**
	 * ECDSA on the P-256 curve with SHA-256: an EC P-256 key.
	 */
	ES256

}
