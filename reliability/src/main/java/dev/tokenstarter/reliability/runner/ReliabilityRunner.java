package dev.tokenstarter.reliability.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs issue 17's experiments and issue 15's users across JVMs (8) one after the other and prints one line each;
 * exits non-zero when any fails. Arguments: {@code --short} (the build's short form; the full run otherwise),
 * {@code --broken-lock} (the fleet replaces its lock with one that does not lock), {@code --only=1,3} (some
 * experiments). The fleet's class path is
 * {@code target/classes} plus the dependencies listed in {@code target/fleet.classpath} (system properties
 * {@code reliability.classes} and {@code reliability.classpath}), or this JVM's own when those are not given.
 */
public final class ReliabilityRunner {

	static final List<Experiment> EXPERIMENTS = List.of(new LockHolderKilled(), new SentinelFailover(),
			new RedisRestartedEmpty(), new RedisStopped(), new ClockAhead(), new ProviderFlapping(),
			new EverythingRevoked(), new UsersAcrossJvms());

	private ReliabilityRunner() {
	}

	public static void main(String[] args) throws IOException {
		List<String> arguments = Arrays.asList(args);
		Scale scale = arguments.contains("--short") ? Scale.SHORT : Scale.FULL;
		boolean brokenLock = arguments.contains("--broken-lock");
		Set<Integer> only = arguments.stream()
			.filter((argument) -> argument.startsWith("--only="))
			.flatMap((argument) -> Arrays.stream(argument.substring("--only=".length()).split(",")))
			.map(Integer::parseInt)
			.collect(Collectors.toSet());
		Path output = Path.of(System.getProperty("reliability.output", "target/reliability"));
		List<Result> results = run(new Harness(scale, classpath(), output, brokenLock), only, System.out::println);
		Files.writeString(output.resolve("results-" + scale.name() + (brokenLock ? "-broken-lock" : "") + ".txt"),
				header(scale, brokenLock) + "\n"
						+ results.stream().map(Result::line).collect(Collectors.joining("\n")) + "\n",
				StandardCharsets.UTF_8);
		System.exit(results.stream().allMatch(Result::pass) ? 0 : 1);
	}

	/**
	 * Runs the experiments (all when {@code only} is empty), handing each line to {@code out} as it is done. An
	 * experiment that cannot run (a server that does not start) is a failure of its own, and the others still run.
	 */
	static List<Result> run(Harness harness, Set<Integer> only, LineSink out) throws IOException {
		Files.createDirectories(harness.output());
		out.line(header(harness.scale(), harness.brokenLock()));
		List<Result> results = new ArrayList<>();
		for (Experiment experiment : EXPERIMENTS) {
			if (!only.isEmpty() && !only.contains(experiment.number())) {
				continue;
			}
			Result result;
			try {
				result = experiment.run(harness);
			}
			catch (Exception ex) {
				result = new Result.Builder(experiment.number(), experiment.name()).figure("error", ex.toString()
					.replace(' ', '_')).require(false, "ran").build();
			}
			results.add(result);
			out.line(result.line());
		}
		return results;
	}

	private static String header(Scale scale, boolean brokenLock) {
		return "# " + scale.name() + " run" + (brokenLock ? " with the broken lock" : "") + ", "
				+ Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", " + Runtime.getRuntime().availableProcessors()
				+ " cores";
	}

	static String classpath() {
		String classes = System.getProperty("reliability.classes");
		String dependencies = System.getProperty("reliability.classpath");
		if (classes == null || dependencies == null) {
			return System.getProperty("java.class.path");
		}
		try {
			return classes + java.io.File.pathSeparator + Files.readString(Path.of(dependencies)).trim();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No fleet class path at " + dependencies + ": build the module first", ex);
		}
	}

	/**
	 * Where the result lines go.
	 */
	@FunctionalInterface
	interface LineSink {

		void line(String line);

	}

}
