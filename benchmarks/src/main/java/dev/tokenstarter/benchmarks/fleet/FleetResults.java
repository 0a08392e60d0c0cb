package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The harness's figures, from what the provider, the API, Redis and the watcher observed: printed for a reader
 * and written as JSON for {@code report.py}, which judges them against the targets.
 */
final class FleetResults {

	private final Map<String, Object> figures;

	private FleetResults(Map<String, Object> figures) {
		this.figures = figures;
	}

	static FleetResults of(Observed observed, Duration staleWindow) {
		Callers callers = observed.callers();
		Duration run = Duration.ofNanos(callers.endNanos() - callers.startNanos());
		RefreshWindows windows = RefreshWindows.of(observed.issues(), observed.sightings(), FleetHarness.INSTANCES,
				FleetHarness.TOKEN_LIFETIME, staleWindow, callers.endNanos());
		// Calls that start in the first lifetime meet a cold JIT and the cold start; they are counted for
		// failures and Redis commands but kept out of the latency comparison.
		long warmUpEnd = callers.startNanos() + FleetHarness.TOKEN_LIFETIME.toNanos();
		Latencies warmUp = new Latencies();
		Latencies inside = new Latencies();
		Latencies outside = new Latencies();
		long calls = 0;
		int failures = 0;
		List<String> reasons = new ArrayList<>();
		for (CallLog log : callers.logs()) {
			for (int i = 0; i < log.size(); i++) {
				long start = log.start(i);
				Latencies kind = (start - warmUpEnd < 0) ? warmUp : windows.contains(start) ? inside : outside;
				kind.add(log.duration(i));
			}
			calls += log.size() + log.failures();
			failures += log.failures();
			log.failureReasons().stream().limit(5 - reasons.size()).forEach(reasons::add);
		}
		long commandTotal = observed.redisCommands().values().stream().mapToLong(Long::longValue).sum();
		Duration lifetime = FleetHarness.TOKEN_LIFETIME;

		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("instances", FleetHarness.INSTANCES);
		figures.put("callersPerInstance", FleetHarness.CALLERS);
		figures.put("lifetimes", FleetHarness.LIFETIMES);
		figures.put("tokenLifetimeSeconds", lifetime.toSeconds());
		figures.put("providerDelayMillis", FleetHarness.PROVIDER_DELAY.toMillis());
		figures.put("pauseMillis", FleetHarness.PAUSE.toMillis());
		figures.put("runSeconds", run.toMillis() / 1000.0);
		figures.put("widestStaleWindowMillis", staleWindow.toMillis());
		figures.put("tokenRequests", observed.tokenRequests());
		figures.put("tokenRequestLimit", FleetHarness.LIFETIMES + 1);
		// What one client alone needs: the first token, then one each time the held token turns stale.
		figures.put("singleClientRequests", 1 + run.toMillis() / lifetime.minus(staleWindow).toMillis());
		figures.put("calls", calls);
		figures.put("failedCalls", failures);
		figures.put("failureSamples", reasons);
		figures.put("apiRejections", observed.apiRejections());
		figures.put("refreshWindows", Map.of("count", windows.count(), "totalMillis", windows.total().toMillis()));
		Map<String, Object> latency = new LinkedHashMap<>();
		latency.put("warmUp", warmUp.summary());
		latency.put("inside", inside.summary());
		latency.put("outside", outside.summary());
		figures.put("latencyMillis", latency);
		figures.put("redisCommands", new TreeMap<>(observed.redisCommands()));
		figures.put("redisCommandsPerCall", (calls > 0) ? (double) commandTotal / calls : 0.0);
		figures.put("propagationMillis",
				Propagation.of(observed.issues(), observed.sightings(), FleetHarness.INSTANCES).summary());
		return new FleetResults(figures);
	}

	void print(PrintStream out) {
		out.println("Fleet harness");
		this.figures.forEach((name, value) -> out.println("  " + name + ": " + value));
	}

	void write(Path path) throws IOException {
		Files.createDirectories(path.toAbsolutePath().getParent());
		Files.writeString(path,
				JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(this.figures));
	}

	/**
	 * What the harness saw during the run.
	 */
	record Observed(List<ProviderStub.Issue> issues, List<TokenWatcher.Sighting> sightings, Callers callers,
			int tokenRequests, long apiRejections, Map<String, Long> redisCommands) {
	}

}
