package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.springframework.web.client.RestClient;

import dev.tokenstarter.benchmarks.RedisProcess;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.user.UserTokens;

/**
 * The users' fleet harness (issue 15): {@value #INSTANCES} application contexts on one {@code redis-server} of
 * their own serve 50 users, each signed in with the password grant per user ({@code UserTokens}) on
 * an instance drawn at random, whose calls then land on random instances for {@value #LIFETIMES} token lifetimes.
 * The provider rotates refresh tokens and ends a user's session when a spent refresh token comes back
 * ({@link UserProviderStub}, like Keycloak): two instances refreshing one user's token at once would show as a
 * reuse there. Then the memory a user costs: the heap per user token held in a near cache and Redis's memory per
 * user entry, over {@value #MEMORY_USERS} more users. Prints the figures and writes them as JSON for
 * {@code report.py}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.tokenstarter.benchmarks.fleet.UserFleetHarness
 * [user-fleet.json]}; {@code -Duser-fleet.users=N} sets the number of users.
 */
public final class UserFleetHarness {

	static final int INSTANCES = 3;

	/** 50 as issue 15 asks; {@code -Duser-fleet.users=10} runs a lighter fleet on a busy machine. */
	static final int USERS = Integer.getInteger("user-fleet.users", 50);

	static final int LIFETIMES = 4;

	static final Duration TOKEN_LIFETIME = Duration.ofSeconds(5);

	/** A provider round trip of a real token endpoint's order, so two refreshes can overlap as they would. */
	static final Duration PROVIDER_DELAY = Duration.ofMillis(50);

	/** Between one user's calls: each user about 10 calls a second, 500 a second for the fleet. */
	static final Duration PAUSE = Duration.ofMillis(100);

	/**
	 * Enough users that the heap and Redis readings stand well clear of their noise (Netty's pools of buffer
	 * objects, for one, grow with the commands sent).
	 */
	static final int MEMORY_USERS = 5_000;

	private UserFleetHarness() {
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("sun.net.httpserver.nodelay", "true");
		System.setProperty("http.maxConnections", "1000");
		Path output = Path.of((args.length > 0) ? args[0] : "benchmarks/target/user-fleet.json");
		try (RedisProcess redis = RedisProcess.start();
				UserProviderStub provider = UserProviderStub.start(TOKEN_LIFETIME, PROVIDER_DELAY);
				ApiStub api = ApiStub.start(provider, 8)) {
			List<FleetInstance> fleet = new ArrayList<>();
			try {
				for (int i = 0; i < INSTANCES; i++) {
					fleet.add(FleetInstance.start(redis.url(), "token-uri=" + provider.tokenUri(),
							"client-id=" + UserProviderStub.CLIENT_ID, "client-secret=" + UserProviderStub.CLIENT_SECRET,
							"grant-type=password", "base-url=" + api.baseUrl()));
				}
				Map<String, Object> figures = new LinkedHashMap<>(run(provider, api, fleet));
				// Written before the memory phase too, so a run stopped during it still leaves its fleet figures.
				new UserFleetResults(figures).write(output);
				new UserFleetResults(figures).print(System.out);
				figures.put("memory", memory(redis, provider, fleet));
				UserFleetResults results = new UserFleetResults(figures);
				results.print(System.out);
				results.write(output);
			}
			finally {
				fleet.forEach(FleetInstance::close);
			}
		}
	}

	private static Map<String, Object> run(UserProviderStub provider, ApiStub api, List<FleetInstance> fleet)
			throws Exception {
		List<String> names = new ArrayList<>();
		for (int i = 0; i < USERS; i++) {
			names.add("user-" + i);
		}
		// Each user signs in on one instance, which alone holds the password; the others serve the user's calls
		// from the store.
		List<UserCallers.User> users = inParallel(names, 8, (name) -> {
			UserTokens instance = fleet.get(ThreadLocalRandom.current().nextInt(INSTANCES)).bean(UserTokens.class);
			return new UserCallers.User(name, signIn(instance, name));
		});
		long signIns = provider.passwordGrants();
		System.out.println("Signed in " + USERS + " users (" + signIns + " password grants); calling for "
				+ TOKEN_LIFETIME.multipliedBy(LIFETIMES).toSeconds() + " s");
		List<RestClient> clients = fleet.stream().map(FleetInstance::restClient).toList();
		UserCallers callers = UserCallers.run(clients, users, PAUSE, TOKEN_LIFETIME.multipliedBy(LIFETIMES));
		return UserFleetResults.run(new UserFleetResults.Observed(signIns, provider.passwordGrants() - signIns,
				provider.refreshGrants(), provider.reusedRefreshTokens(), provider.sessionsEnded(), provider.refused(),
				api.accepted(), api.rejected(), callers));
	}

	/**
	 * Signs {@value #MEMORY_USERS} more users in on the first instance and has the second serve each of them
	 * once, reading the heap (after full collections) and Redis's {@code used_memory} before and after each step.
	 */
	private static Map<String, Object> memory(RedisProcess redis, UserProviderStub provider,
			List<FleetInstance> fleet) throws Exception {
		provider.delay(Duration.ZERO);
		provider.lifetime(Duration.ofHours(1));
		List<String> names = new ArrayList<>();
		for (int i = 0; i < MEMORY_USERS; i++) {
			names.add("held-user-" + i);
		}
		UserTokens signer = fleet.get(0).bean(UserTokens.class);
		TokenManager reader = fleet.get(1).bean(TokenManager.class);
		long heapBefore = usedHeap();
		long redisBefore = redis.usedMemory();
		long keysBefore = redis.keyCount();
		System.out.println("Signing in " + MEMORY_USERS + " more users for the memory figures");
		List<TokenKey> keys = inParallel(names, 4, (name) -> signIn(signer, name));
		long heapSignedIn = usedHeap();
		long redisSignedIn = redis.usedMemory();
		long keysSignedIn = redis.keyCount();
		List<ManagedToken> held = inParallel(keys, 4, (key) -> reader.token(key).block(Duration.ofSeconds(10)));
		long heapHeld = usedHeap();
		Map<String, Object> memory = new LinkedHashMap<>();
		memory.put("users", MEMORY_USERS);
		memory.put("accessTokenLength", held.get(0).accessToken().getTokenValue().length());
		memory.put("signInHeapBytesPerUser", (heapSignedIn - heapBefore) / MEMORY_USERS);
		memory.put("nearCacheHeapBytesPerUser", (heapHeld - heapSignedIn) / MEMORY_USERS);
		memory.put("redisBytesPerUser", (redisSignedIn - redisBefore) / MEMORY_USERS);
		// A sign-in that met a Redis timeout keeps its token on its instance alone: fewer keys than users say so.
		memory.put("redisKeysPerUser", (double) (keysSignedIn - keysBefore) / MEMORY_USERS);
		memory.put("heldTokens", held.size());
		return memory;
	}

	/**
	 * Signs a user in, waiting again when the wait for the token ran out (the request goes on, and a second
	 * sign-in takes its token): the sign-ins set the harness up and are not what it measures, and a machine shared
	 * with other builds can stall a first Redis round trip past the wait.
	 */
	private static TokenKey signIn(UserTokens instance, String name) {
		for (int attempt = 1;; attempt++) {
			try {
				return instance.signIn(FleetInstance.PROVIDER, name, UserProviderStub.password(name));
			}
			catch (TokenAcquisitionException ex) {
				if (!ex.isTransientFailure() || attempt == 3) {
					throw ex;
				}
			}
		}
	}

	private static <T, R> List<R> inParallel(List<T> items, int threads, Function<T, R> work) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Callable<R>> tasks = items.stream().<Callable<R>>map((item) -> () -> work.apply(item)).toList();
			List<R> results = new ArrayList<>();
			for (Future<R> future : executor.invokeAll(tasks)) {
				results.add(future.get());
			}
			return results;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("A sign-in or read failed", ex.getCause());
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static long usedHeap() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

}
