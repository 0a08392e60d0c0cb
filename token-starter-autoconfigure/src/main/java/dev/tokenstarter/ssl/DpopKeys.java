package dev.tokenstarter.ssl;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.tokenstarter.config.DpopKeyType;
import dev.tokenstarter.config.DpopSettings;
import dev.tokenstarter.config.TokenSettings;

/**
 * The DPoP key pair of each provider whose tokens are DPoP-bound, generated at its first use and kept in memory
 * only: a key that is never written anywhere cannot leak from there, and a restart obtains new tokens with a new
 * key.
 */
public final class DpopKeys {

	private static final int RSA_BITS = 2048;

	private final TokenSettings settings;

	private final Map<String, DpopKey> keys = new ConcurrentHashMap<>();

	public DpopKeys(TokenSettings settings) {
		Assert.notNull(settings, "settings cannot be null");
		this.settings = settings;
	}

	/**
	 * Returns a provider's key pair, generating it on first use.
	 * @param registrationId the client registration id
	 * @return the key, or null when the provider's tokens are not DPoP-bound
	 */
	public @Nullable DpopKey key(String registrationId) {
		DpopKey key = this.keys.get(registrationId);
		if (key != null) {
			return key;
		}
		DpopSettings dpop = this.settings.provider(registrationId).dpop();
		return (dpop != null) ? this.keys.computeIfAbsent(registrationId, (id) -> generate(dpop.keyType())) : null;
	}

	private static DpopKey generate(DpopKeyType type) {
		try {
			JWK jwk = (type == DpopKeyType.RSA) ? new RSAKeyGenerator(RSA_BITS).generate()
					: new ECKeyGenerator(Curve.P_256).generate();
			return new DpopKey(jwk);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("A DPoP key pair cannot be generated: " + ex.getMessage(), ex);
		}
	}

}
