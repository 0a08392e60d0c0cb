package dev.tokenstarter.benchmarks.fleet;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Call durations of one kind, and their percentiles by nearest rank.
 */
final class Latencies {

	private long[] nanos = new long[4096];

	private int size;

	void add(long durationNanos) {
		if (this.size == this.nanos.length) {
			this.nanos = Arrays.copyOf(this.nanos, this.size * 2);
		}
		this.nanos[this.size++] = durationNanos;
	}

	int count() {
		return this.size;
	}

	/**
	 * The count, p50, p99 and max in milliseconds; only the count when there are no calls.
	 */
	Map<String, Object> summary() {
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("count", this.size);
		if (this.size > 0) {
			long[] sorted = Arrays.copyOf(this.nanos, this.size);
			Arrays.sort(sorted);
			summary.put("p50", millis(percentile(sorted, 0.50)));
			summary.put("p99", millis(percentile(sorted, 0.99)));
			summary.put("max", millis(sorted[sorted.length - 1]));
		}
		return summary;
	}

	static long percentile(long[] sorted, double share) {
		int rank = (int) Math.ceil(share * sorted.length);
		return sorted[Math.max(0, rank - 1)];
	}

	static double millis(long nanos) {
		return Math.round(nanos / 1000.0) / 1000.0;
	}

}
