package dev.tokenstarter.benchmarks.scale;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.tokenstarter.benchmarks.RedisProcess;

/**
 * The scale experiment (issue 20): for each fleet size N, N instances of the starter (full application
 * contexts, {@link ScaleInstance}) with their own Redis connections against one real {@code redis-server} and
 * one strict provider, measured in one run through two events and the quiet time between them:
 * <ol>
 * <li>cold start: nothing stored, all N instances call the API at the same moment;</li>
 * <li>{@value #LIFETIMES} token lifetimes of steady use, every instance calling once a second, the engine
 * renewing ahead of expiry;</li>
 * <li>revocation: the provider revokes the token, so every instance's next call gets a 401, and all N call at
 * the same moment.</li>
 * </ol>
 * Prints a markdown table and writes every figure as JSON for {@code SCALE.md}.
 *
 * <p>Run: {@code java -Xmx8g -cp benchmarks/target/benchmarks.jar
 * dev.tokenstarter.benchmarks.scale.ScaleExperiment [3,30,100,300] [scale.json]}
 */
public final class ScaleExperiment {

	static final Duration TOKEN_LIFETIME = Duration.ofSeconds(5);

	static final int LIFETIMES = 3;

	/** A provider round trip of a real token endpoint's order, so a renewal holds the lock as long as it would. */
	static final Duration PROVIDER_DELAY = Duration.ofMillis(50);

	/** Between one instance's calls in the steady phase. */
	static final Duration CALL_INTERVAL = Duration.ofSeconds(1);

	/** Renewal tokens issued later than this before the steady phase ends are not followed to every instance. */
	static final Duration PROPAGATION_MARGIN = Duration.ofSeconds(1);

	private static final Duration EVENT_DEADLINE = Duration.ofSeconds(60);

	private static final long NOT_SERVED = Long.MIN_VALUE;

	private ScaleExperiment() {
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("sun.net.httpserver.nodelay", "true");
		System.setProperty("sun.net.httpserver.maxIdleConnections", "2000");
		System.setProperty("http.maxConnections", "2000");
		List<Integer> sizes = Arrays.stream(((args.length > 0) ? args[0] : "3,30,100,300").split(","))
			.map(String::trim)
			.map(Integer::parseInt)
			.toList();
		Path output = Path.of((args.length > 1) ? args[1] : "benchmarks/target/scale.json");
		// One JVM holds the whole fleet, so the first instance to call would load and compile the code for all of
		// them: a discarded round of 3 instances first, so each size measures the fleet, not the JVM warming up.
		Map<String, Object> warmUp = run(3);
		List<Map<String, Object>> runs = new ArrayList<>();
		for (int size : sizes) {
			Map<String, Object> run = run(size);
			runs.add(run);
			System.out.println(Json.write(run));
		}
		Map<String, Object> report = new TreeMap<>();
		report.put("loadAverageAtEnd", loadAverage());
		report.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
		report.put("processors", Runtime.getRuntime().availableProcessors());
		report.put("java", System.getProperty("java.version"));
		report.put("runs", runs);
		report.put("warmUp", warmUp);
		Files.createDirectories(output.toAbsolutePath().getParent());
		Files.writeString(output, Json.write(report));
		printTable(runs, System.out);
	}

	private static Map<String, Object> run(int size) throws Exception {
		Map<String, Object> run = new TreeMap<>();
		run.put("instances", size);
		run.put("loadAverageAtStart", loadAverage());
		try (RedisProcess redis = RedisProcess.start();
				ScaleProvider provider = ScaleProvider.start(TOKEN_LIFETIME, PROVIDER_DELAY, 16)) {
			RedisProbe probe = new RedisProbe(redis.url());
			long redisMemoryEmpty = Long.parseLong(probe.info("memory").get("used_memory"));
			LockWaits lockWaits = new LockWaits();
			List<ScaleInstance> fleet = Collections.synchronizedList(new ArrayList<>());
			try {
				long startNanos = System.nanoTime();
				startAll(size, redis.url(), provider, lockWaits, fleet);
				run.put("startupSeconds", seconds(System.nanoTime() - startNanos));
				run.put("jvm", jvm(size));
				try (NearCacheWatcher watcher = NearCacheWatcher.start(fleet)) {
					run.put("coldStart", event(fleet, probe, provider, lockWaits, watcher, false));
					run.put("redis", redisState(probe, size, redisMemoryEmpty));
					run.put("steady", steady(fleet, probe, provider, lockWaits, watcher));
					run.put("revocation", event(fleet, probe, provider, lockWaits, watcher, true));
					run.put("watcherPassMillis", millis(watcher.passNanos()));
				}
				run.put("tokenRequestsRefused", provider.refused());
			}
			finally {
				fleet.forEach(ScaleInstance::close);
			}
		}
		return run;
	}

	/**
	 * Starts the fleet one context at a time, every one idle and without a token. Not two at a time: Spring
	 * Boot initialises Logback for each application, and two initialisations at once can leave one application
	 * without its environment in the logger context, failing its start ("Unable to find Spring Environment in
	 * logger context"), which ended a run at N = 600.
	 */
	private static void startAll(int size, String redisUrl, ScaleProvider provider, LockWaits lockWaits,
			List<ScaleInstance> fleet) {
		for (int i = 0; i < size; i++) {
			fleet.add(ScaleInstance.start(redisUrl, provider, lockWaits));
		}
	}

	/**
	 * One event: all instances call at the same moment, each until the API answers 200.
	 * @param revoke whether the provider revokes its tokens first, so every call meets a 401
	 */
	private static Map<String, Object> event(List<ScaleInstance> fleet, RedisProbe probe, ScaleProvider provider,
			LockWaits lockWaits, NearCacheWatcher watcher, boolean revoke) throws Exception {
		Map<String, Long> commandsBefore = probe.commandCounts();
		long cpuBefore = probe.cpuMillis();
		int requestsBefore = provider.requests();
		long rejectedBefore = provider.rejected();
		if (revoke) {
			provider.revokeAll();
		}
		ExecutorService callers = Executors.newFixedThreadPool(fleet.size());
		CountDownLatch ready = new CountDownLatch(fleet.size());
		CountDownLatch go = new CountDownLatch(1);
		AtomicLong failedCalls = new AtomicLong();
		List<Future<Long>> served = new ArrayList<>();
		for (ScaleInstance instance : fleet) {
			served.add(callers.submit(() -> {
				ready.countDown();
				go.await();
				return callUntilServed(instance, failedCalls);
			}));
		}
		ready.await();
		long start = System.nanoTime();
		go.countDown();
		List<Long> servedNanos = new ArrayList<>();
		int notServed = 0;
		try {
			for (Future<Long> instance : served) {
				long servedAt = instance.get();
				if (servedAt == NOT_SERVED) {
					notServed++;
				}
				else {
					servedNanos.add(servedAt - start);
				}
			}
		}
		finally {
			callers.shutdownNow();
		}
		Map<String, Object> event = new TreeMap<>();
		int requests = provider.requests() - requestsBefore;
		event.put("tokenRequests", requests);
		event.put("servedMillis", distribution(servedNanos));
		event.put("instancesNotServed", notServed);
		event.put("callsRejected", provider.rejected() - rejectedBefore);
		event.put("callsFailed", failedCalls.get());
		Map<String, Long> commands = commandDelta(commandsBefore, probe.commandCounts());
		event.put("redisCommands", commands);
		event.put("redisCommandsTotal", total(commands));
		event.put("redisCpuMillis", probe.cpuMillis() - cpuBefore);
		List<LockWaits.Wait> waits = lockWaits.since(start);
		event.put("lockWaitsPeak", LockWaits.peak(waits));
		event.put("lockWaits", waits.stream().collect(Collectors.groupingBy(LockWaits.Wait::outcome, TreeMap::new,
				Collectors.counting())));
		event.put("lockWaitMillis", distribution(waits.stream().map((w) -> w.endNanos() - w.startNanos()).toList()));
		List<ScaleProvider.Issue> issued = provider.issues().stream().filter((i) -> i.issuedNanos() - start > 0).toList();
		if (!issued.isEmpty()) {
			ScaleProvider.Issue first = issued.get(0);
			List<Long> delays = watcher.delays(first.token(), first.issuedNanos());
			event.put("newTokenReachedInstances", delays.size());
			event.put("newTokenDelayMillis", distribution(delays));
		}
		return event;
	}

	/**
	 * Calls until the API answers 200: a call that fails (a 401 the starter could not recover from inside the
	 * call, or a caller that waited {@code refresh.max-caller-wait} for a token) is counted and made again, as an
	 * application's retry would.
	 * @return when the instance was served, on {@link System#nanoTime()}, or {@link #NOT_SERVED} when it was not
	 * within {@link #EVENT_DEADLINE}
	 */
	private static long callUntilServed(ScaleInstance instance, AtomicLong failedCalls) {
		long deadline = System.nanoTime() + EVENT_DEADLINE.toNanos();
		while (System.nanoTime() - deadline < 0) {
			try {
				if (instance.call() == 200) {
					return System.nanoTime();
				}
			}
			catch (RuntimeException ex) {
				failedCalls.incrementAndGet();
			}
		}
		return NOT_SERVED;
	}

	/**
	 * {@value #LIFETIMES} token lifetimes of every instance calling once a second, spread evenly.
	 */
	private static Map<String, Object> steady(List<ScaleInstance> fleet, RedisProbe probe, ScaleProvider provider,
			LockWaits lockWaits, NearCacheWatcher watcher) throws InterruptedException {
		Map<String, Long> commandsBefore = probe.commandCounts();
		long cpuBefore = probe.cpuMillis();
		int requestsBefore = provider.requests();
		long rejectedBefore = provider.rejected();
		long acceptedBefore = provider.accepted();
		AtomicLong failedCalls = new AtomicLong();
		long start = System.nanoTime();
		ScheduledExecutorService callers = Executors.newScheduledThreadPool(4);
		long spread = CALL_INTERVAL.toNanos() / fleet.size();
		for (int i = 0; i < fleet.size(); i++) {
			ScaleInstance instance = fleet.get(i);
			callers.scheduleAtFixedRate(() -> {
				try {
					instance.call();
				}
				catch (RuntimeException ex) {
					failedCalls.incrementAndGet();
				}
			}, i * spread, CALL_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
		}
		Duration length = TOKEN_LIFETIME.multipliedBy(LIFETIMES);
		callers.awaitTermination(length.toNanos(), TimeUnit.NANOSECONDS);
		callers.shutdownNow();
		callers.awaitTermination(10, TimeUnit.SECONDS);
		long end = System.nanoTime();
		Map<String, Object> steady = new TreeMap<>();
		int renewals = provider.requests() - requestsBefore;
		steady.put("seconds", seconds(end - start));
		steady.put("tokenRequests", renewals);
		steady.put("tokenRequestsPerLifetime", renewals / (double) LIFETIMES);
		steady.put("callsServed", provider.accepted() - acceptedBefore);
		steady.put("callsRejected", provider.rejected() - rejectedBefore);
		steady.put("callsFailed", failedCalls.get());
		Map<String, Long> commands = commandDelta(commandsBefore, probe.commandCounts());
		long total = total(commands);
		steady.put("redisCommands", commands);
		steady.put("redisCommandsPerLifetime", total / (double) LIFETIMES);
		steady.put("redisCommandsPerInstancePerLifetime", total / (double) LIFETIMES / fleet.size());
		steady.put("redisCommandsPerRenewal", (renewals > 0) ? total / (double) renewals : 0);
		steady.put("redisCpuMillisPerLifetime", (probe.cpuMillis() - cpuBefore) / (double) LIFETIMES);
		List<LockWaits.Wait> waits = lockWaits.since(start);
		steady.put("lockWaitsPeak", LockWaits.peak(waits));
		steady.put("lockWaits", waits.stream().collect(Collectors.groupingBy(LockWaits.Wait::outcome, TreeMap::new,
				Collectors.counting())));
		List<Long> p99 = new ArrayList<>();
		List<Long> last = new ArrayList<>();
		int reachedAll = 0;
		int followed = 0;
		for (ScaleProvider.Issue issue : provider.issues()) {
			if (issue.issuedNanos() - start > 0 && end - issue.issuedNanos() > PROPAGATION_MARGIN.toNanos()) {
				followed++;
				List<Long> delays = new ArrayList<>(watcher.delays(issue.token(), issue.issuedNanos()));
				if (delays.size() == fleet.size()) {
					reachedAll++;
				}
				Collections.sort(delays);
				if (!delays.isEmpty()) {
					p99.add(percentile(delays, 0.99));
					last.add(delays.get(delays.size() - 1));
				}
			}
		}
		steady.put("renewalsFollowed", followed);
		steady.put("renewalsReachingEveryInstance", reachedAll);
		steady.put("renewalDelayP99Millis", distribution(p99));
		steady.put("renewalDelayLastMillis", distribution(last));
		return steady;
	}

	private static Map<String, Object> redisState(RedisProbe probe, int size, long memoryEmpty) {
		Map<String, Object> state = new TreeMap<>();
		long clients = Long.parseLong(probe.info("clients").get("connected_clients"));
		state.put("connectedClients", clients);
		state.put("connectedClientsPerInstance", (clients - 1) / (double) size);
		Map<String, Long> subscribers = probe.channelSubscribers();
		state.put("pubsubChannels", new TreeMap<>(subscribers));
		state.put("pubsubPatterns", Long.parseLong(probe.info("stats").get("pubsub_patterns")));
		Map<String, String> memory = probe.info("memory");
		long used = Long.parseLong(memory.get("used_memory"));
		state.put("usedMemoryBytes", used);
		state.put("usedMemoryPerInstanceBytes", (used - memoryEmpty) / size);
		state.put("clientsMemoryBytes", Long.parseLong(memory.get("mem_clients_normal")));
		return state;
	}

	private static Map<String, Object> jvm(int size) {
		System.gc();
		Map<String, Object> jvm = new TreeMap<>();
		long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
		jvm.put("heapUsedBytes", used);
		jvm.put("heapPerInstanceBytes", used / size);
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		jvm.put("threads", threads);
		jvm.put("threadsPerInstance", threads / (double) size);
		return jvm;
	}

	private static Map<String, Long> commandDelta(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> delta = new TreeMap<>(RedisProcess.callCommands(before, after));
		// The probe's own.
		delta.remove("pubsub|channels");
		delta.remove("pubsub|numsub");
		return delta;
	}

	private static long total(Map<String, Long> commands) {
		return commands.values().stream().mapToLong(Long::longValue).sum();
	}

	private static Map<String, Object> distribution(List<Long> nanos) {
		Map<String, Object> distribution = new TreeMap<>();
		if (nanos.isEmpty()) {
			return distribution;
		}
		List<Long> sorted = new ArrayList<>(nanos);
		Collections.sort(sorted);
		distribution.put("count", sorted.size());
		distribution.put("p50", millis(percentile(sorted, 0.50)));
		distribution.put("p99", millis(percentile(sorted, 0.99)));
		distribution.put("max", millis(sorted.get(sorted.size() - 1)));
		return distribution;
	}

	private static long percentile(List<Long> sorted, double p) {
		return sorted.get((int) Math.max(0, Math.ceil(p * sorted.size()) - 1));
	}

	private static double millis(long nanos) {
		return Math.round(nanos / 100_000.0) / 10.0;
	}

	private static double seconds(long nanos) {
		return Math.round(nanos / 100_000_000.0) / 10.0;
	}

	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).trim();
		}
		catch (IOException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
	}

	@SuppressWarnings("unchecked")
	private static void printTable(List<Map<String, Object>> runs, PrintStream out) {
		out.println();
		out.println("| N | cold: token requests | cold: served p50 / p99 / max ms | cold: new token p99 / last ms "
				+ "| cold: lock waiters peak | cold: Redis commands | steady: token requests / lifetime "
				+ "| steady: commands / instance / lifetime | steady: commands / renewal "
				+ "| revocation: token requests | revocation: served p99 / max ms | revocation: Redis commands "
				+ "| clients | Redis memory MB |");
		out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
		for (Map<String, Object> run : runs) {
			Map<String, Object> cold = (Map<String, Object>) run.get("coldStart");
			Map<String, Object> steady = (Map<String, Object>) run.get("steady");
			Map<String, Object> revocation = (Map<String, Object>) run.get("revocation");
			Map<String, Object> redis = (Map<String, Object>) run.get("redis");
			Map<String, Object> coldServed = (Map<String, Object>) cold.get("servedMillis");
			Map<String, Object> coldDelay = (Map<String, Object>) cold.getOrDefault("newTokenDelayMillis", Map.of());
			Map<String, Object> revServed = (Map<String, Object>) revocation.get("servedMillis");
			out.printf("| %s | %s | %s / %s / %s | %s / %s | %s | %s | %.2f | %.1f | %.0f | %s | %s / %s | %s | %s | %.1f |%n",
					run.get("instances"), cold.get("tokenRequests"), coldServed.get("p50"), coldServed.get("p99"),
					coldServed.get("max"), coldDelay.get("p99"), coldDelay.get("max"), cold.get("lockWaitsPeak"),
					cold.get("redisCommandsTotal"), steady.get("tokenRequestsPerLifetime"),
					steady.get("redisCommandsPerInstancePerLifetime"), steady.get("redisCommandsPerRenewal"),
					revocation.get("tokenRequests"), revServed.get("p99"), revServed.get("max"),
					revocation.get("redisCommandsTotal"), redis.get("connectedClients"),
					((Long) redis.get("usedMemoryBytes")) / 1_048_576.0);
		}
	}

}
