package dev.tokenstarter.config;

/**
 * The type of a provider's DPoP key (RFC 9449), which decides the algorithm its proofs are signed with.
 */
public enum DpopKeyType {

	/**
	 * An EC key on curve P-256, signing ES256: short proofs, fast to sign, accepted by every DPoP server.
	 */
	EC,

	/**
	 * A 2048-bit RSA key, signing RS256, for servers that accept no EC key.
	 */
	RSA

}
