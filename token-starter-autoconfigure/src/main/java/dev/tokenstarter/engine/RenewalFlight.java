package dev.tokenstarter.engine;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * A key's renewal under way: the token it ends with, and why it runs, which tells a caller arriving meanwhile
 * whether that end answers it too.
 */
final class RenewalFlight extends CompletableFuture<ManagedToken> {

	private final Renewal renewal;

	RenewalFlight(Renewal renewal) {
		this.renewal = renewal;
	}

	/**
	 * Whether this renewal's end answers a caller's renewal: any end answers a caller with no token to avoid; a
	 * caller avoiding a token is answered by a renewal that went to the provider past that very token, whatever
	 * the provider gave (one that caches its tokens answers with the same token again, and asking it once more per
	 * caller would only cost token requests).
	 * @param wanted the caller's renewal
	 * @return whether the caller takes this renewal's end as its own
	 */
	boolean answers(Renewal wanted) {
		@Nullable String replaced = wanted.replaced();
		return replaced == null || replaced.equals(this.renewal.replaced());
	}

}
