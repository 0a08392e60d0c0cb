package dev.tokenstarter.config;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Where the key of client-authentication private_key_jwt comes from and what the assertion says. Not inherited
 * from token.defaults: a key belongs to one client.
 */
public class ClientAssertionProperties {

	/**
	 * Spring Boot SSL bundles (spring.ssl.bundle.pem.<name> or .jks.<name>) holding the signing key and its
	 * certificate; a key store bundle's key.alias picks the entry. The first signs; the others, checked at
	 * start-up, stay listed while the provider still trusts them, so a rotation is a change of order.
	 */
	private List<String> sslBundles = new ArrayList<>();

	/**
	 * Location of a file holding the private signing key as a JWK or a JWK set (RFC 7517), such as
	 * file:/etc/keys/client.jwks. In a set the first key signs. Used instead of ssl-bundles.
	 */
	private @Nullable String jwk;

	/**
	 * Key id sent as the assertion's "kid" header. Defaults to the JWK's kid; a key from an SSL bundle is
	 * identified by its certificate's thumbprints (x5t and x5t#S256) instead.
	 */
	private @Nullable String keyId;

	/**
	 * Signature algorithm: rs256, ps256 or es256. Defaults to rs256 for an RSA key and es256 for an EC P-256
	 * key.
	 */
	private @Nullable ClientAssertionAlgorithm algorithm;

	/**
	 * What the assertion's "aud" claim names: token-endpoint (default) or issuer, which needs issuer-uri.
	 */
	private ClientAssertionAudience audience = ClientAssertionAudience.TOKEN_ENDPOINT;

	public List<String> getSslBundles() {
		return this.sslBundles;
	}

	public void setSslBundles(List<String> sslBundles) {
		this.sslBundles = sslBundles;
	}

	public @Nullable String getJwk() {
		return this.jwk;
	}

	public void setJwk(@Nullable String jwk) {
		this.jwk = jwk;
	}

	public @Nullable String getKeyId() {
		return this.keyId;
	}

	public void setKeyId(@Nullable String keyId) {
		this.keyId = keyId;
	}

	public @Nullable ClientAssertionAlgorithm getAlgorithm() {
		return this.algorithm;
	}

	public void setAlgorithm(@Nullable ClientAssertionAlgorithm algorithm) {
		this.algorithm = algorithm;
	}

	public ClientAssertionAudience getAudience() {
		return this.audience;
	}

	public void setAudience(ClientAssertionAudience audience) {
		this.audience = audience;
	}

	/**
	 * Whether anything is set.
	 */
	boolean isConfigured() {
		return !this.sslBundles.isEmpty() || this.jwk != null || this.keyId != null || this.algorithm != null
				|| this.audience != ClientAssertionAudience.TOKEN_ENDPOINT;
	}

}
