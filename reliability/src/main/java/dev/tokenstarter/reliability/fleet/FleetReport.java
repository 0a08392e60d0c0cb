package dev.tokenstarter.reliability.fleet;

import java.io.PrintStream;

/**
 * What this instance tells the runner: one line per event on standard output, {@code @@ <epoch millis> <event>
 * <fields>}. Lines without the prefix (Spring Boot's log) are kept by the runner for reading, not parsed. Never a
 * token value: calls report the token's serial number, which the API stub answers with.
 */
public final class FleetReport {

	/** Marks the runner's lines among the log's. */
	public static final String PREFIX = "@@ ";

	private final PrintStream out;

	FleetReport(PrintStream out) {
		this.out = out;
	}

	/**
	 * Reports an event now.
	 * @param event the event and its fields, separated by spaces
	 */
	void event(String event) {
		String line = PREFIX + System.currentTimeMillis() + " " + event;
		// One println per event: PrintStream locks per call, so lines of several callers never interleave.
		this.out.println(line);
	}

}
