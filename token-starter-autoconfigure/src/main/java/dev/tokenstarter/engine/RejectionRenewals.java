package dev.tokenstarter.engine;

/**
 * How often one provider's token may be renewed because its API rejected it. The first rejection is renewed at
 * once, so a revoked token is replaced without failing a call; another renewal for a rejection within the interval
 * is refused, because an API that refuses even newly issued tokens (wrong audience, scopes or token type) would
 * otherwise make every call a token request. Refusals are reported once until the API accepts a token again.
 */
final class RejectionRenewals {

	private long lastRenewalMillis;

	private boolean renewedOnce;

	private boolean refusalReported;

	/**
	 * Takes the right to renew for a rejection now, if the last such renewal is at least {@code intervalMillis}
	 * old.
	 * @return whether to renew
	 */
	synchronized boolean tryRenew(long nowMillis, long intervalMillis) {
		if (this.renewedOnce && nowMillis - this.lastRenewalMillis < intervalMillis) {
			return false;
		}
		this.renewedOnce = true;
		this.lastRenewalMillis = nowMillis;
		return true;
	}

	/**
	 * Returns when the next renewal for a rejection may run.
	 */
	synchronized long nextRenewalMillis(long intervalMillis) {
		return this.lastRenewalMillis + intervalMillis;
	}

	/**
	 * Whether a refusal is the first since the API last accepted a token, and so worth reporting.
	 */
	synchronized boolean firstRefusal() {
		boolean first = !this.refusalReported;
		this.refusalReported = true;
		return first;
	}

	/**
	 * The API accepted a renewed token: the next refusal starts a new episode.
	 */
	synchronized void accepted() {
		this.refusalReported = false;
	}

}
