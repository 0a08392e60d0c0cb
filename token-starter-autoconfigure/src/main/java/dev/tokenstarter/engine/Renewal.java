package dev.tokenstarter.engine;

import org.jspecify.annotations.Nullable;

/**
 * Why a key's token is renewed, and which token the renewal must not hand back.
 *
 * @param reason why
 * @param replaced the value of the token being replaced, never handed back; null when any token will do
 */
record Renewal(Reason reason, @Nullable String replaced) {

	static final Renewal AHEAD = new Renewal(Reason.AHEAD, null);

	static final Renewal EXPIRED = new Renewal(Reason.EXPIRED, null);

	static Renewal rejected(String tokenValue) {
		return new Renewal(Reason.REJECTED, tokenValue);
	}

	static Renewal forced(@Nullable String heldValue) {
		return new Renewal(Reason.FORCED, heldValue);
	}

	/**
	 * Whether the replaced token is bad (the API rejected it): it is dropped at once rather than kept until its
	 * replacement arrives.
	 */
	boolean discardsReplaced() {
		return this.reason == Reason.REJECTED;
	}

	/**
	 * Whether the renewal runs ahead of expiry while the held token still serves: it does not wait for another
	 * instance's renewal, whose token will come by change message.
	 */
	boolean isAhead() {
		return this.reason == Reason.AHEAD;
	}

	/**
	 * Names the reason alone: the replaced token's value is a live credential, as a log line or an assertion's
	 * message would show it.
	 */
	@Override
	public String toString() {
		return "Renewal[" + this.reason + ((this.replaced != null) ? ", replacing a token" : "") + "]";
	}

	enum Reason {

		/** The held token turned stale and is renewed in the background while it still serves. */
		AHEAD,

		/** No token can be served: none is held, or the held one expired. Callers wait. */
		EXPIRED,

		/** The API rejected the held token. */
		REJECTED,

		/** An operator asked for a new token whatever the held one's state. */
		FORCED

	}

}
