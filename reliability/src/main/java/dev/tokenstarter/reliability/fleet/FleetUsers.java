package dev.tokenstarter.reliability.fleet;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.springframework.web.client.RestClient;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.user.UserTokens;

/**
 * The users of experiment 8, {@code user-0} to {@code user-<n-1>}: signed in on one instance with the password
 * grant per user ({@link UserTokens#signIn}), which alone then holds their passwords; called as on every instance
 * through {@link #target(int)}, each call as a user drawn at random, so that a user's calls land on every instance
 * as they would behind a load balancer without session affinity.
 */
public final class FleetUsers {

	/** How every user's name starts; the instances' warm-up users' do not. */
	public static final String PREFIX = "user-";

	/** Sign-ins side by side, as users arriving together would. */
	private static final int SIGN_IN_THREADS = 4;

	private final UserTokens users;

	private final RestClient client;

	private final FleetReport report;

	FleetUsers(UserTokens users, RestClient client, FleetReport report) {
		this.users = users;
		this.client = client;
		this.report = report;
	}

	public static String name(int index) {
		return PREFIX + index;
	}

	/**
	 * The password every user signs in with; the runner's provider checks it.
	 */
	public static String password(String username) {
		return username + "-password";
	}

	/**
	 * Signs users {@code 0} to {@code count - 1} in on this instance, reporting {@code SIGNED_IN <user>} or
	 * {@code SIGN_IN_FAILED <user> <exception>} for each.
	 */
	void signIn(int count) throws InterruptedException {
		ExecutorService executor = Executors.newFixedThreadPool(SIGN_IN_THREADS);
		IntStream.range(0, count).mapToObj(FleetUsers::name).forEach((user) -> executor.execute(() -> signIn(user)));
		executor.shutdown();
		executor.awaitTermination(5, TimeUnit.MINUTES);
	}

	/**
	 * Takes this instance through a user's sign-in and call once, as user {@code warm-up-<instance>}, so that its
	 * JVM has loaded and compiled that path (its first Redis commands take seconds on a busy machine, longer than
	 * the store's timeout) before the users' calls are counted; reports {@code WARMED} or
	 * {@code WARM_UP_FAILED <exception>}.
	 */
	void warmUp(String instance) {
		String user = "warm-up-" + instance;
		try {
			TokenKey key = this.users.signIn(FleetApplication.PROVIDER, user, password(user));
			this.client.get()
				.uri("/resource/{user}", user)
				.attributes(TokenKeyAttributes.tokenKey(key))
				.retrieve()
				.toBodilessEntity();
			this.report.event("WARMED");
		}
		catch (RuntimeException ex) {
			// The runner reports it; the experiment still runs on a JVM that is partly warm.
			this.report.event("WARM_UP_FAILED " + ex.getClass().getSimpleName());
		}
	}

	private void signIn(String user) {
		try {
			this.users.signIn(FleetApplication.PROVIDER, user, password(user));
			this.report.event("SIGNED_IN " + user);
		}
		catch (RuntimeException ex) {
			// The runner counts users not signed in; the others still sign in.
			this.report.event("SIGN_IN_FAILED " + user + " " + ex.getClass().getSimpleName());
		}
	}

	/**
	 * Calls as users {@code 0} to {@code count - 1}, each call as one drawn at random, to that user's own
	 * resource with that user's key.
	 */
	FleetCallers.Target target(int count) {
		List<TokenKey> keys = IntStream.range(0, count)
			.mapToObj((index) -> this.users.key(FleetApplication.PROVIDER, name(index)))
			.toList();
		return (client) -> {
			int index = ThreadLocalRandom.current().nextInt(count);
			return client.get()
				.uri("/resource/{user}", name(index))
				.attributes(TokenKeyAttributes.tokenKey(keys.get(index)));
		};
	}

}
