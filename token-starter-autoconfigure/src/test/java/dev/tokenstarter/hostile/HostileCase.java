package dev.tokenstarter.hostile;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One hostile behaviour of the token endpoint, and what callers must see while it lasts.
 *
 * @param name what the provider does
 * @param provider the behaviour of the provider stub
 * @param expected what every call sees while the provider behaves so
 * @param bound what one acquisition may cost in token requests
 * @param askedToWait how long the provider asked to be left alone ({@code Retry-After}) beyond the retry budget,
 * which the engine honours instead of its failure cooldown; null when it asked for no more
 */
record HostileCase(String name, ProviderBehaviour provider, Expected expected, Bound bound,
		@Nullable Duration askedToWait) {

	HostileCase(String name, ProviderBehaviour provider, Expected expected, Bound bound) {
		this(name, provider, expected, bound, null);
	}

	/**
	 * How long after the misbehaviour the engine asks the provider again.
	 */
	Duration recovery(Duration failureCooldown) {
		return (this.askedToWait != null && this.askedToWait.compareTo(failureCooldown) > 0) ? this.askedToWait
				: failureCooldown;
	}

	@Override
	public String toString() {
		return this.name;
	}

	/**
	 * What every call sees while the provider misbehaves.
	 *
	 * @param kind the kind of outcome
	 * @param errorCode the error code of the {@code TokenAcquisitionException} callers get, when refused
	 * @param lifetime the lifetime the engine must give the token, when served and known
	 */
	record Expected(Kind kind, @Nullable String errorCode, @Nullable Duration lifetime) {

		/** The answer is not a token: callers get a {@code TokenAcquisitionException} with this code. */
		static Expected refused(String errorCode) {
			return new Expected(Kind.REFUSED, errorCode, null);
		}

		/** The answer holds a usable token: every call gets through. */
		static Expected served() {
			return new Expected(Kind.SERVED, null, null);
		}

		/** The answer holds a usable token, which the engine keeps for {@code lifetime}. */
		static Expected servedFor(Duration lifetime) {
			return new Expected(Kind.SERVED, null, lifetime);
		}

		/** The tokens look fine but the API rejects every one: callers get the API's 401. */
		static Expected rejectedByApi() {
			return new Expected(Kind.REJECTED_BY_API, null, null);
		}

		@Override
		public String toString() {
			return (this.kind == Kind.REFUSED) ? "refused with " + this.errorCode : this.kind.name().toLowerCase();
		}

	}

	enum Kind {

		REFUSED, SERVED, REJECTED_BY_API

	}

	/**
	 * How many token requests one acquisition may cost.
	 */
	enum Bound {

		/** A permanent failure or a plain answer: one request, never retried. */
		ONE_REQUEST,

		/** A transient failure: up to {@code retry.max-attempts} requests. */
		RETRIED,

		/** One request, and one more for the renewal a 401 of the API forces. */
		RENEWED_ONCE;

		int requests(int maxAttempts) {
			return switch (this) {
				case ONE_REQUEST -> 1;
				case RETRIED -> maxAttempts;
				case RENEWED_ONCE -> 2;
			};
		}

	}

}
