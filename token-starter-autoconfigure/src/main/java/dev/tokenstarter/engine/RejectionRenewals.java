package dev.tokenstarter.engine;

import org.jspecify.annotations.Nullable;

/**
 * Whether one provider's token may be renewed because its API rejected it. A rejection is renewed, and the request
 * retried, unless a retry with a renewed token was itself rejected within the provider's cooldown: the API then
 * refuses even newly issued tokens (wrong audience, scopes or token type), and renewing on every 401 would make
 * every call a token request. Revocations, however often they come, are renewed as long as the renewed token is
 * accepted. Refusals are reported once until the API accepts a renewed token again.
 *
 * <p>A caller that does not retry (Spring Security's {@code OAuth2ClientHttpRequestInterceptor} only reports the
 * rejection) never says whether the renewed token was accepted. For it, a token obtained to replace a rejected one
 * and rejected itself within the cooldown tells the same: the API refuses even newly issued tokens.
 */
final class RejectionRenewals {

	private long refusingUntilMillis;

	private boolean refusalReported;

	private @Nullable ManagedToken replacement;

	private long replacedAtMillis;

	/**
	 * Whether a rejection may be renewed now.
	 */
	synchronized boolean mayRenew(long nowMillis) {
		return nowMillis >= this.refusingUntilMillis;
	}

	/**
	 * The API rejected a request retried with a renewed token: rejections are not renewed for the cooldown.
	 */
	synchronized void renewedTokenRejected(long nowMillis, long cooldownMillis) {
		this.refusingUntilMillis = nowMillis + cooldownMillis;
		this.replacement = null;
	}

	/**
	 * A rejected token was replaced by a renewal.
	 */
	synchronized void replaced(ManagedToken token, long nowMillis) {
		this.replacement = token;
		this.replacedAtMillis = nowMillis;
	}

	/**
	 * Whether a rejected token is the replacement of a rejected one, rejected within the cooldown after it was
	 * obtained. A later rejection is a revocation like any other: the token was accepted meanwhile.
	 */
	synchronized boolean replacementRejected(String rejected, long nowMillis, long cooldownMillis) {
		ManagedToken replaced = this.replacement;
		return replaced != null && replaced.hasValue(rejected)
				&& nowMillis - this.replacedAtMillis < cooldownMillis;
	}

	/**
	 * Returns when rejections may be renewed again.
	 */
	synchronized long refusingUntilMillis() {
		return this.refusingUntilMillis;
	}

	/**
	 * Whether a refusal is the first since the API last accepted a renewed token, and so worth reporting.
	 */
	synchronized boolean firstRefusal() {
		boolean first = !this.refusalReported;
		this.refusalReported = true;
		return first;
	}

	/**
	 * The API accepted a renewed token: rejections are renewed again, and the next refusal starts a new episode.
	 */
	synchronized void accepted() {
		this.refusingUntilMillis = 0;
		this.refusalReported = false;
		this.replacement = null;
	}

}
