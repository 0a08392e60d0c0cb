package dev.tokenstarter.reliability.runner;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition by polling it until a deadline, and pauses an experiment's schedule.
 */
final class Polling {

	private static final long INTERVAL_MILLIS = 20;

	private Polling() {
	}

	/**
	 * Polls {@code condition} until it holds.
	 * @throws IllegalStateException naming {@code what} when it does not hold within {@code atMost}
	 */
	static void until(Duration atMost, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + atMost.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Waited " + atMost + " for " + what);
			}
			pause(Duration.ofMillis(INTERVAL_MILLIS));
		}
	}

	/**
	 * Lets time pass on an experiment's schedule (a fault placed in a token's lifetime, a measurement window),
	 * never to wait for a condition.
	 */
	static void pause(Duration duration) {
		try {
			Thread.sleep(Math.max(0, duration.toMillis()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	/**
	 * Lets time pass until {@code epochMillis} on the machine's clock.
	 */
	static void pauseUntil(long epochMillis) {
		pause(Duration.ofMillis(epochMillis - System.currentTimeMillis()));
	}

}
