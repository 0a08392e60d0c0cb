package dev.tokenstarter.engine;

import java.util.PriorityQueue;

import org.jspecify.annotations.Nullable;

/**
 * The moments at which held tokens turn stale, in time order, so that a background pass looks only at the tokens
 * whose moment has come instead of at every key held: with many keys (users, callers, audiences), a pass over all
 * of them every interval would cost a share of a core for nothing.
 * <p>
 * A point names the token it was taken for. A token replaced or forgotten since, or whose key the bounded cache
 * dropped meanwhile, is not looked at again: a replacement has a point of its own, and a dropped key is not
 * renewed in the background. A point keeps its key's state in memory until it is due; there is one per token held
 * within a token lifetime.
 */
final class StalePoints {

	private final PriorityQueue<Point> points = new PriorityQueue<>();

	/**
	 * Adds the stale point of a token just held for a key.
	 */
	void add(KeyState state, ManagedToken token) {
		add(new Point(token.staleAtMillis(), state, token));
	}

	/**
	 * Adds a point again, to be due at once: for a token the last pass could not renew.
	 */
	void again(Point point, long nowMillis) {
		add(new Point(nowMillis, point.state(), point.token()));
	}

	private synchronized void add(Point point) {
		this.points.add(point);
	}

	/**
	 * Removes and returns the earliest point due by {@code nowMillis}, or null when none is.
	 */
	synchronized @Nullable Point due(long nowMillis) {
		Point first = this.points.peek();
		return (first != null && first.dueMillis() <= nowMillis) ? this.points.poll() : null;
	}

	/**
	 * When a token held for a key turns stale.
	 */
	record Point(long dueMillis, KeyState state, ManagedToken token) implements Comparable<Point> {

		/**
		 * Whether the point's token is still the one its key holds.
		 */
		boolean isCurrent() {
			return this.state.isHeld() && this.state.token() == this.token;
		}

		@Override
		public int compareTo(Point other) {
			return Long.compare(this.dueMillis, other.dueMillis);
		}

	}

}
