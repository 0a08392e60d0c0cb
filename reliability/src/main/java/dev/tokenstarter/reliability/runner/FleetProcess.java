package dev.tokenstarter.reliability.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.tokenstarter.reliability.fleet.FleetApplication;
import dev.tokenstarter.reliability.fleet.FleetReport;

/**
 * One fleet instance in a JVM of its own, started with {@link ProcessBuilder}: its report lines are collected as
 * {@link Event}s, everything it prints goes to its log file under the experiment's output directory.
 */
final class FleetProcess {

	private final String name;

	private final Process process;

	private final List<Event> events = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private FleetProcess(String name, Process process, Path log) {
		this.name = name;
		this.process = process;
		this.reader = new Thread(() -> read(log), "read-" + name);
		this.reader.setDaemon(true);
		this.reader.start();
	}

	static FleetProcess start(String name, String classpath, List<String> properties, Path log) {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms64m", "-Xmx192m",
				"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, FleetApplication.class.getName()));
		properties.forEach((property) -> command.add("--" + property));
		try {
			Files.createDirectories(log.getParent());
			return new FleetProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start(), log);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start fleet instance " + name, ex);
		}
	}

	String name() {
		return this.name;
	}

	List<Event> events() {
		return List.copyOf(this.events);
	}

	List<Event> events(String type) {
		return this.events.stream().filter((event) -> event.type().equals(type)).toList();
	}

	void awaitReady(Duration atMost) {
		Polling.until(atMost, this.name + " to start (see its log)", () -> {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited at start (see its log)");
			}
			return !events("READY").isEmpty();
		});
	}

	void send(String command) {
		try {
			OutputStream in = this.process.getOutputStream();
			in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
			in.flush();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not tell " + this.name + " to " + command, ex);
		}
	}

	/**
	 * Kills the instance with SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook runs, no lock
	 * is released.
	 */
	void kill() {
		this.process.destroyForcibly();
		awaitExit(Duration.ofSeconds(10));
	}

	/**
	 * Stops the callers and the application (they report {@code STOPPED} first), killing what does not stop.
	 */
	void stop() {
		if (this.process.isAlive()) {
			send("stop");
			if (!awaitExit(Duration.ofSeconds(30))) {
				this.process.destroyForcibly();
				awaitExit(Duration.ofSeconds(10));
			}
		}
		try {
			this.reader.join(TimeUnit.SECONDS.toMillis(5));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private boolean awaitExit(Duration atMost) {
		try {
			return this.process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void read(Path log) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				if (line.startsWith(FleetReport.PREFIX)) {
					this.events.add(Event.parse(this.name, line.substring(FleetReport.PREFIX.length())));
				}
				out.println(line);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Lost the output of " + this.name, ex);
		}
	}

	/**
	 * One report line of an instance.
	 * @param instance the instance's name
	 * @param millis when it happened, on the machine's clock
	 * @param type {@code READY}, {@code CALL}, {@code LOCK}, {@code OBTAINED}, {@code RENEWAL_FAILED},
	 * {@code DEGRADED}, {@code MASTER} or {@code STOPPED}
	 * @param fields what follows the type
	 */
	record Event(String instance, long millis, String type, List<String> fields) {

		static Event parse(String instance, String line) {
			String[] parts = line.split(" ");
			return new Event(instance, Long.parseLong(parts[0]), parts[1], List.of(parts).subList(2, parts.length));
		}

		String field(int index) {
			return this.fields.get(index);
		}

	}

}
