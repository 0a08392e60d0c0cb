package dev.tokenstarter.ssl;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

import org.springframework.util.Assert;

/**
 * A provider's DPoP key pair with what signing a proof needs, made once per key: the signer and the proof header
 * ({@code typ} {@code dpop+jwt}, the algorithm and the public key as {@code jwk}, RFC 9449 section 4.2).
 */
public final class DpopKey {

	/** The proof's media type (RFC 9449 section 4.2). */
	static final JOSEObjectType PROOF_TYPE = new JOSEObjectType("dpop+jwt");

	private final JWK jwk;

	private final JWSSigner signer;

	private final JWSHeader header;

	private final String thumbprint;

	/**
	 * Creates the key's signer and proof header.
	 * @param jwk the key pair: an EC P-256 key (ES256) or an RSA key (RS256)
	 */
	public DpopKey(JWK jwk) {
		Assert.notNull(jwk, "jwk cannot be null");
		Assert.isTrue(jwk.isPrivate(), "jwk must hold the private key");
		try {
			JWSAlgorithm algorithm;
			if (jwk instanceof ECKey ec) {
				algorithm = JWSAlgorithm.ES256;
				this.signer = new ECDSASigner(ec);
			}
			else if (jwk instanceof RSAKey rsa) {
				algorithm = JWSAlgorithm.RS256;
				this.signer = new RSASSASigner(rsa);
			}
			else {
				throw new IllegalArgumentException("A DPoP key is an EC or RSA key, not " + jwk.getKeyType());
			}
			this.jwk = jwk;
			this.header = new JWSHeader.Builder(algorithm).type(PROOF_TYPE).jwk(jwk.toPublicJWK()).build();
			this.thumbprint = jwk.computeThumbprint().toString();
		}
		catch (JOSEException ex) {
			throw new IllegalArgumentException("The DPoP key cannot sign: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Returns the public key, as proofs carry it: never the private part, which stays in this object.
	 */
	public JWK publicJwk() {
		return this.jwk.toPublicJWK();
	}

	/**
	 * Returns the public key's RFC 7638 thumbprint (SHA-256, base64url): what a DPoP-bound token's
	 * {@code cnf.jkt} names.
	 */
	public String thumbprint() {
		return this.thumbprint;
	}

	JWSSigner signer() {
		return this.signer;
	}

	JWSHeader header() {
		return this.header;
	}

	@Override
	public String toString() {
		return "DpopKey[kty=" + this.jwk.getKeyType() + ", jkt=" + this.thumbprint + "]";
	}

}
