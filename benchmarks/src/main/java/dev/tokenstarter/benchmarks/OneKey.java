package dev.tokenstarter.benchmarks;

import java.util.concurrent.ThreadLocalRandom;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.tokenstarter.engine.TokenKey;

/**
 * One principal's key, asked for on every call of a benchmark thread: its state stays in the CPU's caches, so the
 * call pays the engine's code for a keyed token without the memory reads of a key among many. Set beside
 * {@link KeyCursor}, the two tell those costs apart.
 */
@State(Scope.Thread)
public class OneKey {

	private TokenKey key;

	@Setup
	public void setUp() {
		this.key = PrincipalKeys.key(ThreadLocalRandom.current().nextInt(KeyedStarter.KEYS));
	}

	TokenKey key() {
		return this.key;
	}

}
