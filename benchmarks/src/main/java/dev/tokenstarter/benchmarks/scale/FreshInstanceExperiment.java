package dev.tokenstarter.benchmarks.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.benchmarks.RedisProcess;

/**
 * What the first call of a fresh instance costs, each instance a JVM of its own as a pod is (the scale experiment
 * runs its whole fleet in one JVM, where only the first instance is fresh). Against one {@code redis-server} and
 * one provider, each round starts its instances one after the other (the told one before the cold one), each
 * calling the API once after a pause like the one between a pod's start and its first request:
 * <ol>
 * <li>cold: nothing stored, so the instance asks the provider (50 ms) and writes the token;</li>
 * <li>joining: the first instance's token is stored, so the instance reads it;</li>
 * <li>told: started before the cold instance, it makes its first call once the cold instance has obtained and
 * saved the token, whose change message reached it meanwhile;</li>
 * <li>without the starter: the same application, its first call through a plain {@code RestClient} with no token
 * (the API answers 401): what any first call costs in a fresh JVM, the floor of the two others.</li>
 * </ol>
 * Logs each instance's start-up and first call, and the medians as a markdown table.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tokenstarter.benchmarks.scale.FreshInstanceExperiment [rounds, 6] [pause ms, 1000]}
 */
public final class FreshInstanceExperiment {

	private static final Log logger = LogFactory.getLog(FreshInstanceExperiment.class);

	private FreshInstanceExperiment() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("instance")) {
			instance(args[1], args[2], Long.parseLong(args[3]), Boolean.parseBoolean(args[4]), Path.of(args[5]),
					Boolean.parseBoolean(args[6]));
			return;
		}
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 6;
		long pauseMillis = (args.length > 1) ? Long.parseLong(args[1]) : 1000;
		List<double[]> cold = new ArrayList<>();
		List<double[]> joining = new ArrayList<>();
		List<double[]> told = new ArrayList<>();
		List<double[]> plain = new ArrayList<>();
		try (RedisProcess redis = RedisProcess.start();
				ScaleProvider provider = ScaleProvider.start(Duration.ofMinutes(10), ScaleExperiment.PROVIDER_DELAY,
						4)) {
			for (int round = 0; round < rounds; round++) {
				redis.flushAll();
				Instance waiting = Instance.start(redis.url(), provider.baseUrl(), pauseMillis, true, true);
				waiting.awaitStarted();
				cold.add(Instance.start(redis.url(), provider.baseUrl(), pauseMillis, true, false).figures());
				waiting.go();
				told.add(waiting.figures());
				joining.add(Instance.start(redis.url(), provider.baseUrl(), pauseMillis, true, false).figures());
				plain.add(Instance.start(redis.url(), provider.baseUrl(), pauseMillis, false, false).figures());
				logger.info(String.format(Locale.ROOT,
						"round %d: cold %.0f / %.1f ms, told %.0f / %.1f ms, joining %.0f / %.1f ms, without the "
								+ "starter %.0f / %.1f ms (start-up / first call)",
						round, cold.get(round)[0], cold.get(round)[1], told.get(round)[0], told.get(round)[1],
						joining.get(round)[0], joining.get(round)[1], plain.get(round)[0], plain.get(round)[1]));
			}
			logger.info(String.join(System.lineSeparator(), "",
					"| instance | start-up ms (median) | first call ms (median / min / max) |", "|---|---|---|",
					row("cold", cold), row("told", told), row("joining", joining), row("without the starter", plain),
					"",
					String.format(Locale.ROOT, "%d rounds, first call %d ms after start-up, %d token requests", rounds,
							pauseMillis, provider.requests())));
		}
	}

	/**
	 * One instance in a JVM of its own. It writes its start-up and first call in milliseconds to a file of its
	 * own (its output is the application's log), and a told instance signals its start with a second file and
	 * waits for a third before its first call.
	 */
	private static final class Instance {

		/** How long a told instance's start and the go between the experiment and it may take. */
		private static final Duration SIGNAL_WAIT = Duration.ofMinutes(1);

		private final Process process;

		private final Path result;

		private final Path log;

		private Instance(Process process, Path result, Path log) {
			this.process = process;
			this.result = result;
			this.log = log;
		}

		static Instance start(String redisUrl, String providerUrl, long pauseMillis, boolean starter, boolean told)
				throws IOException {
			Path result = Files.createTempFile("fresh-instance", ".txt");
			// To a file, not a pipe: a told instance logs while nobody reads its output.
			Path log = Files.createTempFile("fresh-instance", ".log");
			String java = ProcessHandle.current().info().command().orElse("java");
			Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
					FreshInstanceExperiment.class.getName(), "instance", redisUrl, providerUrl,
					Long.toString(pauseMillis), Boolean.toString(starter), result.toString(), Boolean.toString(told))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new Instance(process, result, log);
		}

		void awaitStarted() throws InterruptedException, IOException {
			if (!appears(started(this.result), this.process::isAlive)) {
				this.process.destroy();
				throw new IllegalStateException("The instance did not start:\n" + Files.readString(this.log));
			}
		}

		void go() throws IOException {
			Files.createFile(go(this.result));
		}

		/**
		 * Waits for the instance to end and returns its start-up and first call in milliseconds.
		 */
		double[] figures() throws IOException, InterruptedException {
			try {
				if (this.process.waitFor() != 0) {
					throw new IllegalStateException("The instance failed:\n" + Files.readString(this.log));
				}
				String[] figures = Files.readString(this.result).split(" ");
				return new double[] { Double.parseDouble(figures[0]), Double.parseDouble(figures[1]) };
			}
			finally {
				Files.deleteIfExists(started(this.result));
				Files.deleteIfExists(go(this.result));
				Files.delete(this.result);
				Files.delete(this.log);
			}
		}

		/**
		 * Waits for the other side of a signal to create its file, for at most {@link #SIGNAL_WAIT}.
		 * @return whether it did; false too as soon as {@code waiting} says there is no one left to wait for
		 */
		static boolean appears(Path file, BooleanSupplier waiting) throws InterruptedException {
			long deadline = System.nanoTime() + SIGNAL_WAIT.toNanos();
			while (!Files.exists(file)) {
				if (!waiting.getAsBoolean() || System.nanoTime() - deadline > 0) {
					return false;
				}
				Thread.sleep(10);
			}
			return true;
		}

		static Path started(Path result) {
			return Path.of(result + ".started");
		}

		static Path go(Path result) {
			return Path.of(result + ".go");
		}

	}

	private static void instance(String redisUrl, String providerUrl, long pauseMillis, boolean starter, Path result,
			boolean told) throws InterruptedException, IOException {
		long start = System.nanoTime();
		try (ScaleInstance instance = ScaleInstance.start(redisUrl, providerUrl, null)) {
			long started = System.nanoTime();
			Thread.sleep(pauseMillis);
			if (told) {
				Files.createFile(Instance.started(result));
				if (!Instance.appears(Instance.go(result), () -> true)) {
					throw new IllegalStateException("No go from the experiment");
				}
			}
			long call = System.nanoTime();
			int status = starter ? instance.call() : callWithoutToken(providerUrl);
			long served = System.nanoTime();
			if (status != (starter ? 200 : 401)) {
				throw new IllegalStateException("The API answered " + status);
			}
			Files.writeString(result, String.format(Locale.ROOT, "%.1f %.1f", (started - start) / 1e6,
					(served - call) / 1e6));
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
