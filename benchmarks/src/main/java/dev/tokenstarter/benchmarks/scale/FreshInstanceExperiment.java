package dev.tokenstarter.benchmarks.scale;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.benchmarks.RedisProcess;

/**
 * What the first call of a fresh instance costs, each instance a JVM of its own as a pod is (the scale experiment
 * runs its whole fleet in one JVM, where only the first instance is fresh). Against one {@code redis-server} and
 * one provider, each round starts two instances one after the other, each calling the API once after a pause like
 * the one between a pod's start and its first request:
 * <ol>
 * <li>cold: nothing stored, so the instance asks the provider (50 ms) and writes the token;</li>
 * <li>joining: the first instance's token is stored, so the instance reads it;</li>
 * <li>without the starter: the same application, its first call through a plain {@code RestClient} with no token
 * (the API answers 401): what any first call costs in a fresh JVM, the floor of the two others.</li>
 * </ol>
 * Prints each instance's start-up and first call, and the medians.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tokenstarter.benchmarks.scale.FreshInstanceExperiment [rounds, 6] [pause ms, 1000]}
 */
public final class FreshInstanceExperiment {

	private static final String RESULT = "fresh-instance ";

	private FreshInstanceExperiment() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("instance")) {
			instance(args[1], args[2], Long.parseLong(args[3]), Boolean.parseBoolean(args[4]));
			return;
		}
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 6;
		long pauseMillis = (args.length > 1) ? Long.parseLong(args[1]) : 1000;
		List<double[]> cold = new ArrayList<>();
		List<double[]> joining = new ArrayList<>();
		List<double[]> plain = new ArrayList<>();
		try (RedisProcess redis = RedisProcess.start();
				ScaleProvider provider = ScaleProvider.start(Duration.ofMinutes(10), ScaleExperiment.PROVIDER_DELAY,
						4)) {
			for (int round = 0; round < rounds; round++) {
				redis.flushAll();
				cold.add(spawn(redis.url(), provider.baseUrl(), pauseMillis, true));
				joining.add(spawn(redis.url(), provider.baseUrl(), pauseMillis, true));
				plain.add(spawn(redis.url(), provider.baseUrl(), pauseMillis, false));
				System.out.printf(Locale.ROOT, "round %d: cold %.0f / %.1f ms, joining %.0f / %.1f ms, without the starter %.0f / %.1f ms (start-up / first call)%n",
						round, cold.get(round)[0], cold.get(round)[1], joining.get(round)[0], joining.get(round)[1],
						plain.get(round)[0], plain.get(round)[1]);
			}
			System.out.println();
			System.out.println("| instance | start-up ms (median) | first call ms (median / min / max) |");
			System.out.println("|---|---|---|");
			System.out.println(row("cold", cold));
			System.out.println(row("joining", joining));
			System.out.println(row("without the starter", plain));
			System.out.printf(Locale.ROOT, "%n%d rounds, first call %d ms after start-up, %d token requests%n", rounds,
					pauseMillis, provider.requests());
		}
	}

	/**
	 * Starts one instance in a JVM of its own and returns its start-up and first call in milliseconds.
	 */
	private static double[] spawn(String redisUrl, String providerUrl, long pauseMillis, boolean starter)
			throws IOException, InterruptedException {
		String java = ProcessHandle.current().info().command().orElse("java");
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				FreshInstanceExperiment.class.getName(), "instance", redisUrl, providerUrl, Long.toString(pauseMillis),
				Boolean.toString(starter))
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IllegalStateException("The instance failed:\n" + output);
		}
		String result = output.lines()
			.filter((line) -> line.startsWith(RESULT))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("The instance printed no result:\n" + output));
		String[] figures = result.substring(RESULT.length()).split(" ");
		return new double[] { Double.parseDouble(figures[0]), Double.parseDouble(figures[1]) };
	}

	private static void instance(String redisUrl, String providerUrl, long pauseMillis, boolean starter)
			throws InterruptedException {
		long start = System.nanoTime();
		try (ScaleInstance instance = ScaleInstance.start(redisUrl, providerUrl, null)) {
			long started = System.nanoTime();
			Thread.sleep(pauseMillis);
			long call = System.nanoTime();
			int status = starter ? instance.call() : callWithoutToken(providerUrl);
			long served = System.nanoTime();
			if (status != (starter ? 200 : 401)) {
				throw new IllegalStateException("The API answered " + status);
			}
			System.out.printf(Locale.ROOT, RESULT + "%.1f %.1f%n", (started - start) / 1e6, (served - call) / 1e6);
		}
	}

	private static int callWithoutToken(String providerUrl) {
		return RestClient.builder()
			.requestFactory(new SimpleClientHttpRequestFactory())
			.baseUrl(providerUrl)
			.build()
			.get()
			.uri("/resource")
			.exchange((request, response) -> response.getStatusCode().value());
	}

	private static String row(String name, List<double[]> runs) {
		double[] startUp = runs.stream().mapToDouble((run) -> run[0]).sorted().toArray();
		double[] firstCall = runs.stream().mapToDouble((run) -> run[1]).sorted().toArray();
		return String.format(Locale.ROOT, "| %s | %.0f | %.0f / %.0f / %.0f |", name, median(startUp),
				median(firstCall), firstCall[0], firstCall[firstCall.length - 1]);
	}

	private static double median(double[] sorted) {
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

}
