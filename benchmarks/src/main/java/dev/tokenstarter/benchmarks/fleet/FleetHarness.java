package dev.tokenstarter.benchmarks.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.web.client.RestClient;

import dev.tokenstarter.benchmarks.RedisProcess;

/**
 * The fleet load harness: {@value #INSTANCES} application contexts sharing one {@code redis-server} of their
 * own and one provider issuing {@code TOKEN_LIFETIME} tokens, {@value #CALLERS} callers per instance calling a
 * protected API through {@code TokenClients} for {@value #LIFETIMES} token lifetimes, starting cold. Prints what
 * issue 9 asks for and writes it as JSON for {@code report.py}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.tokenstarter.benchmarks.fleet.FleetHarness
 * [results.json]}
 */
public final class FleetHarness {

	static final int INSTANCES = 3;

	static final int CALLERS = 100;

	static final int LIFETIMES = 4;

	static final Duration TOKEN_LIFETIME = Duration.ofSeconds(5);

	/** A provider round trip of a real token endpoint's order, so renewals take time as they would. */
	static final Duration PROVIDER_DELAY = Duration.ofMillis(50);

	/**
	 * Between one caller's calls: 300 callers at about 10 calls a second each keep the shared 2 cores busy but
	 * not saturated, so latencies show the token's cost rather than a run queue.
	 */
	static final Duration PAUSE = Duration.ofMillis(100);

	private FleetHarness() {
	}

	public static void main(String[] args) throws IOException, InterruptedException {
		// The JDK's HTTP defaults would add Nagle delays and close most of the 300 callers' idle connections
		// (5 kept per destination by HttpURLConnection, 200 by the server), so calls would open new ones.
		System.setProperty("sun.net.httpserver.nodelay", "true");
		System.setProperty("sun.net.httpserver.maxIdleConnections", "1000");
		System.setProperty("http.maxConnections", "1000");
		Path output = Path.of((args.length > 0) ? args[0] : "benchmarks/target/fleet.json");
		try (RedisProcess redis = RedisProcess.start();
				ProviderStub provider = ProviderStub.start(TOKEN_LIFETIME, PROVIDER_DELAY);
				ApiStub api = ApiStub.start(provider, 8)) {
			List<FleetInstance> fleet = new ArrayList<>();
			try {
				for (int i = 0; i < INSTANCES; i++) {
					fleet.add(FleetInstance.start(redis.url(), provider.tokenUri(), api.baseUrl()));
				}
				FleetResults results = run(redis, provider, api, fleet);
				results.print(System.out);
				results.write(output);
			}
			finally {
				fleet.forEach(FleetInstance::close);
			}
		}
	}

	private static FleetResults run(RedisProcess redis, ProviderStub provider, ApiStub api,
			List<FleetInstance> fleet) throws InterruptedException {
		List<RestClient> clients = fleet.stream().map(FleetInstance::restClient).toList();
		try (TokenWatcher watcher = TokenWatcher.start(fleet)) {
			Map<String, Long> before = redis.commandCounts();
			Callers callers = Callers.run(clients, CALLERS, PAUSE, TOKEN_LIFETIME.multipliedBy(LIFETIMES));
			Map<String, Long> commands = RedisProcess.callCommands(before, redis.commandCounts());
			Duration staleWindow = RefreshWindows.widestStaleWindow(fleet.get(0).refreshSettings(), TOKEN_LIFETIME);
			return FleetResults.of(new FleetResults.Observed(provider.issues(), watcher.sightings(), callers,
					provider.requests(), api.rejected(), commands), staleWindow);
		}
	}

}
