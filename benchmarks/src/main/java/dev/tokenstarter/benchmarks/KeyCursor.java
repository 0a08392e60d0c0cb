package dev.tokenstarter.benchmarks;

import java.util.concurrent.ThreadLocalRandom;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.tokenstarter.engine.TokenKey;

/**
 * Which key a benchmark thread asks for next: it cycles through 1 024 principals from a random place among the
 * keys held, so that look-ups do not always meet the same entry, without allocating per call.
 */
@State(Scope.Thread)
public class KeyCursor {

	private static final int SPAN = 1024;

	private final TokenKey[] keys;

	private final int mask;

	private int next;

	public KeyCursor() {
		this(SPAN);
	}

	KeyCursor(int span) {
		this.keys = new TokenKey[span];
		this.mask = span - 1;
	}

	@Setup
	public void setUp() {
		int start = ThreadLocalRandom.current().nextInt(KeyedStarter.KEYS - this.keys.length);
		for (int i = 0; i < this.keys.length; i++) {
			this.keys[i] = PrincipalKeys.key(start + i);
		}
	}

	TokenKey next() {
		TokenKey key = this.keys[this.next];
		this.next = (this.next + 1) & this.mask;
		return key;
	}

	/**
	 * One principal's key, asked for on every call of a benchmark thread: its state stays in the CPU's caches, so
	 * the call pays the engine's code for a keyed token without the memory reads of a key among many. The same
	 * cursor as {@link KeyCursor}'s, over one key, so that the two cases differ in how far the keys are spread
	 * and nothing else.
	 */
	@State(Scope.Thread)
	public static class OneKey extends KeyCursor {

		public OneKey() {
			super(1);
		}

	}

}
