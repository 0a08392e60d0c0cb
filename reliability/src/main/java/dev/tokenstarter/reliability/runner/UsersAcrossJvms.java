package dev.tokenstarter.reliability.runner;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.tokenstarter.reliability.fleet.FleetUsers;
import dev.tokenstarter.reliability.runner.Fleet.Call;
import dev.tokenstarter.reliability.runner.UserProviderStub.Counts;

/**
 * Experiment 8 (issue 15's test with separate JVMs): users signed in once each with the password grant per user on
 * one instance, whose calls then land on every instance at random for several token lifetimes, against a provider
 * that rotates refresh tokens and ends a user's session when a spent one comes back. Two instances refreshing one
 * user's token with the same refresh token would show as a reuse there, and the user's calls would fail after it.
 * From the provider's counts: no refresh token reused, no call failed, refresh requests at most users × (lifetimes
 * + 1), and every user signed in once (no silent sign-in again by the instance holding the passwords). The
 * provider's grants go to {@code users-across-jvms/provider.log} beside the instances' logs.
 */
final class UsersAcrossJvms implements Experiment {

	/** Issue 15 asks for three instances; the short form too, since two would halve the chances of a collision. */
	private static final int INSTANCES = 3;

	/** The fleet locks' names in Redis, with the built-in {@code token.store.redis.key-prefix}. */
	private static final String LOCKS = "token-starter:lock:";

	private static final Duration SIGN_IN_TIMEOUT = Duration.ofSeconds(60);

	@Override
	public int number() {
		return 8;
	}

	@Override
	public String name() {
		return "users-across-jvms";
	}

	@Override
	public Result run(Harness harness) throws Exception {
		Scale scale = harness.scale();
		int users = scale.users();
		Duration lifetime = scale.userLifetime();
		try (RedisServer redis = RedisServer.start();
				UserProviderStub provider = new UserProviderStub(lifetime);
				ApiStub api = new ApiStub(provider, 16);
				Fleet fleet = Fleet.start(harness, name(), provider.tokenUri(), api,
						List.of("spring.data.redis.url=" + redis.url(), "token.providers.fleet.grant-type=password",
								// No holder is killed here: the built-in lease and caller wait, not experiment 1's.
								"token.store.redis.lock-lease=45s", "token.providers.fleet.refresh.max-caller-wait=5s"),
						INSTANCES, scale.callers(), scale.pace(), (index) -> List.of())) {
			long warmUpFailed = warmUp(fleet);
			FleetProcess signer = fleet.instances().get(0);
			signer.send("sign-in " + users);
			Polling.until(SIGN_IN_TIMEOUT, "every user's sign-in on " + signer.name(),
					() -> signer.events("SIGNED_IN").size() + signer.events("SIGN_IN_FAILED").size() >= users);
			long signedIn = signer.events("SIGNED_IN").size();
			fleet.callAsUsers(users);
			Polling.pauseUntil(
					provider.firstPasswordGrantMillis(FleetUsers.PREFIX) + lifetime.toMillis() * scale.userLifetimes());
			Collection<Counts> counts = provider.counts()
				.entrySet()
				.stream()
				.filter((user) -> user.getKey().startsWith(FleetUsers.PREFIX))
				.map(Map.Entry::getValue)
				.toList();
			Files.write(harness.output().resolve(name()).resolve("provider.log"), provider.log());
			String locksHeld = locksHeld(redis);
			List<Call> calls = fleet.calls();
			long failed = calls.stream().filter((call) -> !call.ok()).count();
			long passwordGrants = counts.stream().mapToInt((user) -> user.passwordGrants.get()).sum();
			long signedInAgain = counts.stream().filter((user) -> user.passwordGrants.get() > 1).count();
			long refreshes = counts.stream().mapToInt((user) -> user.refreshes.get()).sum();
			int maxRefreshes = counts.stream().mapToInt((user) -> user.refreshes.get()).max().orElse(0);
			long reused = counts.stream().mapToInt((user) -> user.reused.get()).sum();
			long usersReused = counts.stream().filter((user) -> user.reused.get() > 0).count();
			long bound = (long) users * (scale.userLifetimes() + 1);
			return new Result.Builder(number(), name()).figure("instances", INSTANCES)
				.figure("users", users)
				.figure("lifetime", lifetime.toSeconds() + "s")
				.figure("lifetimes", scale.userLifetimes())
				.figure("signed-in", signedIn)
				.figure("password-grants", passwordGrants)
				.figure("users-signed-in-again", signedInAgain)
				.figure("refresh-requests", refreshes)
				.figure("refresh-bound", bound)
				.figure("max-refreshes-per-user", maxRefreshes)
				.figure("reused-refresh-tokens", reused)
				.figure("users-with-reuse", usersReused)
				.figure("failed-calls", failed)
				.figure("api-401", api.rejected())
				.figure("calls", calls.size())
				.figure("calls-per-instance", callsPerInstance(fleet, calls))
				.figure("warm-up-failed", warmUpFailed)
				.figure("locks-held-at-end", locksHeld)
				.require(signedIn == users && passwordGrants == users && signedInAgain == 0, "signed-in-once")
				.require(reused == 0, "reused-refresh-tokens")
				.require(failed == 0, "failed-calls")
				.require(refreshes <= bound, "refresh-requests")
				.build();
		}
	}

	/**
	 * Takes every instance through a user's sign-in and call of its own ({@code warm-up-<instance>}, not one of
	 * the users counted), as the other experiments warm up (see {@link Fleet#warmUp()}): a JVM's first Redis
	 * commands take longer than the store's 1 s timeout on a busy machine, and an instance that meets it works
	 * alone for a while, unable to serve users it has not seen.
	 * @return the instances whose warm-up failed
	 */
	private static long warmUp(Fleet fleet) {
		fleet.instances().forEach((instance) -> instance.send("warm-up"));
		Polling.until(SIGN_IN_TIMEOUT, "every instance's warm-up", () -> fleet.instances()
			.stream()
			.allMatch((instance) -> !instance.events("WARMED").isEmpty() || !instance.events("WARM_UP_FAILED").isEmpty()));
		return fleet.events("WARM_UP_FAILED").size();
	}

	/**
	 * The fleet locks held when the calls end, each with the lease left: a renewal takes a lock for a token
	 * request's round trip, so one with most of its lease left is a lock nobody will give back (not a verdict;
	 * it tells a failed run's stuck user from a slow machine).
	 */
	private static String locksHeld(RedisServer redis) {
		List<@Nullable String> names = redis.command("KEYS", LOCKS + "*");
		String held = names.stream()
			.filter(Objects::nonNull)
			.map((name) -> name.substring(LOCKS.length()).replace(' ', '_') + "@" + redis.command("PTTL", name).get(0)
					+ "ms")
			.collect(Collectors.joining(","));
		return held.isEmpty() ? "none" : held;
	}

	private static String callsPerInstance(Fleet fleet, List<Call> calls) {
		return fleet.instances()
			.stream()
			.map((instance) -> calls.stream().filter((call) -> call.instance().equals(instance.name())).count())
			.map(String::valueOf)
			.collect(Collectors.joining("/"));
	}

}
