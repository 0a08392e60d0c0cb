package dev.tokenstarter.engine;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Where callers and HTTP client filters get tokens. Each method comes twice: by {@link TokenKey}, and by
 * registration id for a provider's application token, the common case, which allocates nothing when the token is
 * fresh.
 */
public interface TokenSource {

	/**
	 * Returns a usable token of a provider's application key, renewing it first only when it has expired or is
	 * missing.
	 * @param registrationId the provider's name
	 * @return the token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	Mono<ManagedToken> token(String registrationId);

	/**
	 * Returns a usable token of a key, renewing it first only when it has expired or is missing.
	 * @param key the key
	 * @return the token; fails with {@link TokenAcquisitionException} when none can be had, and with
	 * {@link IllegalArgumentException} when the provider is unknown or cannot serve the key
	 */
	Mono<ManagedToken> token(TokenKey key);

	/**
	 * Returns a provider's application token at once when one can be served (a stale one after starting its
	 * background renewal), without I/O, lock or Reactor; null when the caller must wait for {@link #awaitToken}.
	 * @param registrationId the provider's name
	 * @return the token to use now, or null
	 */
	@Nullable ManagedToken usableToken(String registrationId);

	/**
	 * Returns a key's token at once when one can be served, like {@link #usableToken(String)}.
	 * @param key the key
	 * @return the token to use now, or null
	 */
	@Nullable ManagedToken usableToken(TokenKey key);

	/**
	 * Waits for a renewal of a provider's application token: for a caller to whom {@link #usableToken(String)}
	 * just answered null.
	 * @param registrationId the provider's name
	 * @return the renewed token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	Mono<ManagedToken> awaitToken(String registrationId);

	/**
	 * Waits for a renewal of a key's token: for a caller to whom {@link #usableToken(TokenKey)} just answered null.
	 * @param key the key
	 * @return the renewed token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	Mono<ManagedToken> awaitToken(TokenKey key);

	/**
	 * Replaces a provider's application token that the API just rejected.
	 * @param registrationId the provider's name
	 * @param rejected the token the API rejected
	 * @return a different token, or empty when the rejection is to be returned to the caller as it is
	 * @see #replaceRejected(TokenKey, ManagedToken)
	 */
	Mono<ManagedToken> replaceRejected(String registrationId, ManagedToken rejected);

	/**
	 * Replaces a key's token that the API just rejected: with a newer one if another caller already renewed it,
	 * otherwise with a new one, obtained without ever serving the rejected token again.
	 * @param key the key
	 * @param rejected the token the API rejected
	 * @return a different token, or empty when the rejection is to be returned to the caller as it is
	 */
	Mono<ManagedToken> replaceRejected(TokenKey key, ManagedToken rejected);

	/**
	 * Records that the API rejected a provider's application token and the request was sent again with a renewed
	 * one.
	 * @param registrationId the provider's name
	 * @param success whether the retried request was accepted
	 */
	void recordUnauthorizedRetry(String registrationId, boolean success);

	/**
	 * Records that the API rejected a key's token and the request was sent again with a renewed one.
	 * @param key the key
	 * @param success whether the retried request was accepted
	 */
	void recordUnauthorizedRetry(TokenKey key, boolean success);

}
