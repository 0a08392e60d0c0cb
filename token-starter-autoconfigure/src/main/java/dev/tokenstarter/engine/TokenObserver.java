package dev.tokenstarter.engine;

import java.time.Instant;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.lock.LockObserver;

/**
 * Hears what the engine does, for metrics and logs, including how its renewals wait for the lock. Every method
 * has a no-op default, and implementations must be cheap: {@link #lookup} is called on every token served.
 */
public interface TokenObserver extends LockObserver {

	/** Observes nothing. */
	TokenObserver NONE = new TokenObserver() {
	};

	/**
	 * A caller asked for a provider's token.
	 * @param provider the provider's name
	 * @param result what the near cache had
	 */
	default void lookup(String provider, Lookup result) {
	}

	/**
	 * A caller had to wait for a renewal.
	 * @param provider the provider's name
	 * @param nanos how long it waited
	 * @param success whether it got a token
	 */
	default void waited(String provider, long nanos, boolean success) {
	}

	/**
	 * A new token was obtained from the provider.
	 * @param token the token
	 * @param ahead whether it replaced a token that was still usable (a renewal ahead of expiry)
	 */
	default void obtained(ManagedToken token, boolean ahead) {
	}

	/**
	 * A renewal failed.
	 * @param failure the failure, naming provider and error code
	 */
	default void failed(TokenAcquisitionException failure) {
	}

	/**
	 * A request was rejected by the API, the token renewed and the request sent again.
	 * @param provider the provider's name
	 * @param success whether the retried request was accepted
	 */
	default void unauthorizedRetry(String provider, boolean success) {
	}

	/**
	 * The API rejected a token although one was renewed for a rejection within the provider's cooldown: it
	 * refuses even newly issued tokens, so rejections are returned to callers without renewing until then.
	 * Heard once until the API accepts a token again.
	 * @param provider the provider's name
	 * @param renewalsResumeAt when a rejection may renew the token again
	 */
	default void freshTokenRejected(String provider, Instant renewalsResumeAt) {
	}

	/**
	 * What the near cache had for a caller.
	 */
	enum Lookup {

		/** A fresh token, served at once. */
		HIT,

		/** A stale token, served at once while one background renewal runs. */
		STALE,

		/** No usable token: the caller waits for a renewal. */
		MISS

	}

}
