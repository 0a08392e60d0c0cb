package dev.tokenstarter.reliability.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command of the operating system and fails with its output when it fails.
 */
final class Processes {

	private Processes() {
	}

	static void run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(List.of(command) + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(List.of(command) + " could not run", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(List.of(command) + " interrupted", ex);
		}
	}

}
