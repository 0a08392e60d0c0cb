package dev.tokenstarter.engine;

/**
 * Whether one provider's token may be renewed because its API rejected it. A rejection is renewed, and the request
 * retried, unless a retry with a renewed token was itself rejected within the provider's cooldown: the API then
 * refuses even newly issued tokens (wrong audience, scopes or token type), and renewing on every 401 would make
 * every call a token request. Revocations, however often they come, are renewed as long as the renewed token is
 * accepted. Refusals are reported once until the API accepts a renewed token again.
 */
final class RejectionRenewals {

	private long refusingUntilMillis;

	private boolean refusalReported;

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
	}

}
