package dev.tokenstarter.engine;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How often an instance may authenticate at a single-session provider while it cannot coordinate with the fleet.
 * Each authentication then ends the session of whichever instance authenticated last, so each instance spaces its
 * own out, exponentially and with jitter, for as long as coordination stays lost: the fleet settles on few
 * authentications instead of taking the session from each other on every rejection.
 */
final class SessionRenewalBudget {

	/** Past this, an instance without the session still tries now and then, in case the holder is gone. */
	private static final long MAX_INTERVAL_MILLIS = 120_000;

	private final long baseIntervalMillis;

	private int authentications;

	private long nextAllowedMillis;

	SessionRenewalBudget(long baseIntervalMillis) {
		this.baseIntervalMillis = Math.max(1, baseIntervalMillis);
	}

	/**
	 * Takes the right to authenticate now, if the budget allows it.
	 * @return whether to authenticate
	 */
	synchronized boolean tryAuthenticate(long nowMillis) {
		if (nowMillis < this.nextAllowedMillis) {
			return false;
		}
		this.nextAllowedMillis = nowMillis + nextInterval();
		this.authentications++;
		return true;
	}

	/**
	 * The API rejected this instance's token: another instance holds the session now. Unless an interval is already
	 * running, the next authentication waits one, so that the instances a new session just cut off do not all take
	 * it back at once.
	 */
	synchronized void rejected(long nowMillis) {
		if (nowMillis >= this.nextAllowedMillis) {
			this.nextAllowedMillis = nowMillis + nextInterval();
		}
	}

	/**
	 * The current interval, doubled with each authentication, less up to a quarter so that instances that lost
	 * coordination at the same moment do not come back in step.
	 */
	private long nextInterval() {
		long interval = Math.min(MAX_INTERVAL_MILLIS, this.baseIntervalMillis << Math.min(this.authentications, 20));
		return interval - ThreadLocalRandom.current().nextLong(interval / 4 + 1);
	}

	/**
	 * Returns when the next authentication may run.
	 */
	synchronized long nextAllowedMillis() {
		return this.nextAllowedMillis;
	}

	/**
	 * Coordination is back: the next loss starts a fresh budget.
	 */
	synchronized void reset() {
		this.authentications = 0;
		this.nextAllowedMillis = 0;
	}

}
