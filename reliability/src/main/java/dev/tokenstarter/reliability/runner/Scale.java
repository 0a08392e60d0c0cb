package dev.tokenstarter.reliability.runner;

import java.time.Duration;

/**
 * How big and how long the experiments are: the full run, or the short form every build runs (fewer callers,
 * shorter lifetimes and outages, the same verdicts).
 * @param name {@code full} or {@code short}
 * @param instances fleet instances (separate JVMs)
 * @param callers caller threads per instance
 * @param pace how often each caller calls
 * @param lifetime token lifetime
 * @param lease {@code token.store.redis.lock-lease}
 * @param hold how long the provider holds a response (experiment 1)
 * @param redisStop how long Redis is stopped (experiment 4)
 * @param clockOffset how far one instance's clock is ahead (experiment 5)
 * @param clockLifetime token lifetime in experiment 5
 * @param lifetimes how many lifetimes experiments 5 and 6 last
 * @param revokeCallers caller threads per instance in experiment 7
 * @param revokePace how often each of them calls
 * @param users users signed in in experiment 8
 * @param userLifetime their tokens' lifetime
 * @param userLifetimes how many of those lifetimes their calls last: 3 to 5, where the verdict's bound of
 * lifetimes + 1 refreshes per user is the renewals the built-in settings call for ({@link #renewalsDue})
 */
record Scale(String name, int instances, int callers, Duration pace, Duration lifetime, Duration lease, Duration hold,
		Duration redisStop, Duration clockOffset, Duration clockLifetime, int lifetimes, int revokeCallers,
		Duration revokePace, int users, Duration userLifetime, int userLifetimes) {

	/**
	 * The renewals the built-in refresh settings call for in {@code millis}: one per 72.5 % of a lifetime (stale
	 * a quarter of the lifetime before expiry, moved earlier by up to a tenth of that quarter by jitter).
	 */
	static long renewalsDue(long millis, Duration lifetime) {
		return (long) Math.floor(millis / (0.725 * lifetime.toMillis()));
	}

	static final Scale FULL = new Scale("full", 3, 10, Duration.ofMillis(100), Duration.ofSeconds(30),
			Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30),
			Duration.ofSeconds(60), 4, 200, Duration.ofSeconds(1), 50, Duration.ofSeconds(10), 4);

	static final Scale SHORT = new Scale("short", 2, 3, Duration.ofMillis(100), Duration.ofSeconds(12),
			Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofSeconds(6), Duration.ofSeconds(6),
			Duration.ofSeconds(12), 2, 50, Duration.ofMillis(500), 20, Duration.ofSeconds(8), 3);

}
