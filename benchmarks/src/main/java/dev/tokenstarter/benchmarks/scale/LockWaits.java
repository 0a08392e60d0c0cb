package dev.tokenstarter.benchmarks.scale;

import java.util.ArrayList;
import java.util.List;

import dev.tokenstarter.engine.TokenObserver;

/**
 * Records every fleet-lock wait of every instance (the lock reports each when it ends, with how long it
 * lasted), so the number of instances waiting at once is known at every moment: the lock's queue, which Redis
 * cannot show as waiters poll rather than block.
 */
final class LockWaits implements TokenObserver {

	private final List<Wait> waits = new ArrayList<>();

	@Override
	public void lockWaited(String key, String outcome, long nanos) {
		long end = System.nanoTime();
		synchronized (this.waits) {
			this.waits.add(new Wait(end - nanos, end, outcome));
		}
	}

	/**
	 * Returns the waits that ended since {@code fromNanos}.
	 */
	List<Wait> since(long fromNanos) {
		synchronized (this.waits) {
			return this.waits.stream().filter((wait) -> wait.endNanos() - fromNanos >= 0).toList();
		}
	}

	/**
	 * The most waits under way at one moment among these.
	 */
	static int peak(List<Wait> waits) {
		List<long[]> edges = new ArrayList<>();
		for (Wait wait : waits) {
			edges.add(new long[] { wait.startNanos(), 1 });
			edges.add(new long[] { wait.endNanos(), -1 });
		}
		// Ends before starts at the same instant: a wait that ended as another began did not overlap it.
		edges.sort((a, b) -> (a[0] != b[0]) ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
		int current = 0;
		int peak = 0;
		for (long[] edge : edges) {
			current += (int) edge[1];
			peak = Math.max(peak, current);
		}
		return peak;
	}

	/**
	 * One wait for the lock, on {@link System#nanoTime()}, and how it ended ({@code acquired}, {@code busy},
	 * {@code timeout}, {@code local}).
	 */
	record Wait(long startNanos, long endNanos, String outcome) {
	}

}
