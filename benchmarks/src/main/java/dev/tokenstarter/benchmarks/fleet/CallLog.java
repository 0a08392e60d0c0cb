package dev.tokenstarter.benchmarks.fleet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One caller's calls: when each started and how long it took, on {@link System#nanoTime()}, in primitive
 * arrays so that recording a call allocates next to nothing and does not disturb what is measured. Failed calls
 * are counted, with the first few reasons kept.
 */
final class CallLog {

	private static final int KEPT_FAILURES = 5;

	private long[] starts = new long[1024];

	private long[] durations = new long[1024];

	private int size;

	private int failures;

	private final List<String> failureReasons = new ArrayList<>();

	void succeeded(long startNanos, long durationNanos) {
		if (this.size == this.starts.length) {
			this.starts = Arrays.copyOf(this.starts, this.size * 2);
			this.durations = Arrays.copyOf(this.durations, this.size * 2);
		}
		this.starts[this.size] = startNanos;
		this.durations[this.size] = durationNanos;
		this.size++;
	}

	void failed(RuntimeException failure) {
		this.failures++;
		if (this.failureReasons.size() < KEPT_FAILURES) {
			this.failureReasons.add(failure.getClass().getSimpleName() + ": " + failure.getMessage());
		}
	}

	int size() {
		return this.size;
	}

	long start(int index) {
		return this.starts[index];
	}

	long duration(int index) {
		return this.durations[index];
	}

	int failures() {
		return this.failures;
	}

	List<String> failureReasons() {
		return this.failureReasons;
	}

}
