package dev.tokenstarter.engine;

import java.util.Set;

import reactor.core.publisher.Mono;

/**
 * What operators see and do: status, forced renewal and revocation of providers' application tokens.
 */
public interface TokenOperations {

	/**
	 * Returns what is known of a provider without contacting it.
	 * @param registrationId the provider's name
	 * @return its status
	 */
	ProviderStatus status(String registrationId);

	/**
	 * Obtains a new application token for a provider now, whatever the held one's state; the held token is never
	 * returned.
	 * @param registrationId the provider's name
	 * @return the new token
	 */
	Mono<ManagedToken> refresh(String registrationId);

	/**
	 * Revokes a provider's application token; the next call obtains a new one.
	 * @param registrationId the provider's name
	 * @return completes once the token is forgotten
	 */
	Mono<Void> revoke(String registrationId);

	/**
	 * Returns the names of the providers served so far.
	 */
	Set<String> activeProviders();

	/**
	 * Returns how many keys this process holds state for, application keys included.
	 */
	long heldKeys();

}
