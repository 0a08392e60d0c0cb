package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The users' fleet harness's figures, from what the provider and the API counted and what the users' calls
 * met: printed for a reader and written as JSON for {@code report.py}, which judges them against the targets.
 */
final class UserFleetResults {

	private final Map<String, Object> figures;

	UserFleetResults(Map<String, Object> figures) {
		this.figures = figures;
	}

	static Map<String, Object> run(Observed observed) {
		Latencies latencies = new Latencies();
		long calls = 0;
		long failures = 0;
		List<String> reasons = new ArrayList<>();
		for (CallLog log : observed.callers().logs()) {
			for (int i = 0; i < log.size(); i++) {
				latencies.add(log.duration(i));
			}
			calls += log.size() + log.failures();
			failures += log.failures();
			log.failureReasons().stream().limit(Math.max(0, 5 - reasons.size())).forEach(reasons::add);
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("instances", UserFleetHarness.INSTANCES);
		figures.put("users", UserFleetHarness.USERS);
		figures.put("lifetimes", UserFleetHarness.LIFETIMES);
		figures.put("tokenLifetimeSeconds", UserFleetHarness.TOKEN_LIFETIME.toSeconds());
		figures.put("providerDelayMillis", UserFleetHarness.PROVIDER_DELAY.toMillis());
		figures.put("pauseMillis", UserFleetHarness.PAUSE.toMillis());
		figures.put("runSeconds", observed.callers().duration().toMillis() / 1000.0);
		figures.put("signIns", observed.signIns());
		figures.put("passwordGrantsDuringRun", observed.passwordGrantsDuringRun());
		figures.put("refreshRequests", observed.refreshRequests());
		figures.put("refreshRequestLimit", UserFleetHarness.USERS * (UserFleetHarness.LIFETIMES + 1));
		figures.put("reusedRefreshTokens", observed.reusedRefreshTokens());
		figures.put("sessionsEnded", observed.sessionsEnded());
		figures.put("tokenRequestsRefused", observed.refused());
		figures.put("calls", calls);
		figures.put("failedCalls", failures);
		figures.put("failureSamples", reasons);
		figures.put("apiAccepted", observed.apiAccepted());
		figures.put("apiRejections", observed.apiRejected());
		figures.put("latencyMillis", latencies.summary());
		figures.put("loadAverage", loadAverage());
		return figures;
	}

	/**
	 * The machine's load when the calls ended: on shared cores, a load far above the core count starves Redis
	 * round trips past the engine's timeouts, and the fleet renews without its lock.
	 */
	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
	}

	void print(PrintStream out) {
		out.println("Users' fleet harness");
		this.figures.forEach((name, value) -> out.println("  " + name + ": " + value));
	}

	void write(Path path) throws IOException {
		Files.createDirectories(path.toAbsolutePath().getParent());
		Files.writeString(path,
				JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(this.figures));
	}

	/**
	 * What the provider, the API and the users saw during the run: sign-ins before it, every other count during
	 * it.
	 */
	record Observed(long signIns, long passwordGrantsDuringRun, long refreshRequests, long reusedRefreshTokens,
			long sessionsEnded, long refused, long apiAccepted, long apiRejected, UserCallers callers) {
	}

}
