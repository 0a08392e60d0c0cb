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

	private final TokenKey[] keys = new TokenKey[SPAN];

	private int next;

	@Setup
	public void setUp() {
		int start = ThreadLocalRandom.current().nextInt(KeyedStarter.KEYS - SPAN);
		for (int i = 0; i < SPAN; i++) {
			this.keys[i] = PrincipalKeys.key(start + i);
		}
	}

	TokenKey next() {
		TokenKey key = this.keys[this.next];
		this.next = (this.next + 1) & (SPAN - 1);
		return key;
	}

}
