package dev.tokenstarter.ssl;

import java.util.function.Supplier;

import com.nimbusds.jose.jwk.JWK;
import reactor.core.publisher.Mono;

/**
 * Where a fleet keeps the DPoP key pairs of its providers, so that every instance sends the fleet's tokens with
 * the key they are bound to. Without one (memory mode) each instance generates its own key and keeps it in memory.
 */
public interface DpopKeyStore {

	/**
	 * Returns the fleet's current key pair of a provider, creating it once for the whole fleet: when there is
	 * none, the store is read again under a fleet-wide lock, and only an instance that still finds none saves the
	 * key {@code generator} makes; the others load it.
	 * @param registrationId the provider's registration id
	 * @param generator makes a new key pair
	 * @return the current key pair, private part included; fails with {@link UnusableDpopKeyException} when the
	 * store holds one that cannot be used, and with any other exception when the store does not answer
	 */
	Mono<JWK> current(String registrationId, Supplier<JWK> generator);

	/**
	 * Returns one of the fleet's key pairs of a provider by its thumbprint: the current one or the one before it.
	 * @param registrationId the provider's registration id
	 * @param thumbprint the key's RFC 7638 thumbprint
	 * @return the key pair, or empty when the fleet no longer has it
	 */
	Mono<JWK> find(String registrationId, String thumbprint);

	/**
	 * Makes a new key pair the fleet's current one for a provider, under the fleet-wide lock; the previous one
	 * stays available to the tokens still bound to it.
	 * @param registrationId the provider's registration id
	 * @param generator makes the new key pair
	 * @return the new key pair
	 */
	Mono<JWK> rotate(String registrationId, Supplier<JWK> generator);

}
