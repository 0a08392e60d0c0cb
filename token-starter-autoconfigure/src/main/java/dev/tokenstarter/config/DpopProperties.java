package dev.tokenstarter.config;

/**
 * DPoP (RFC 9449): tokens bound to a key pair of the client's, each token request and each API call carrying a
 * proof signed with it, so that a stolen token is of no use without the key. Not inherited from token.defaults:
 * a key belongs to one provider.
 */
public class DpopProperties {

	/**
	 * Whether the provider's tokens are DPoP-bound: token requests and API calls carry a DPoP proof, API calls
	 * send "Authorization: DPoP <token>", and a token answer of type Bearer is refused. The key pair is generated
	 * at first use and kept in memory, or shared by the fleet through the Redis store.
	 */
	private boolean enabled;

	/**
	 * Type of the key pair: ec (P-256, ES256; the default) or rsa (2048 bits, RS256).
	 */
	private DpopKeyType keyType = DpopKeyType.EC;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public DpopKeyType getKeyType() {
		return this.keyType;
	}

	public void setKeyType(DpopKeyType keyType) {
		this.keyType = keyType;
	}

}
