package dev.tokenstarter.test;

import java.util.List;

import org.quicktheories.QuickTheory;
import org.quicktheories.core.Configuration;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Settings and drawing helpers of the property-based ("fuzz") tests, which run QuickTheories from JUnit Jupiter
 * tests. Each property states how many random cases it tries, chosen so that all of them run in about a minute on
 * two cores; {@code -Dfuzz.tries=N} tries N cases for every property instead, and {@code -DQT_SEED=S} replays the
 * run whose failure printed "Seed was S".
 *
 * <p>Generators draw every choice from QuickTheories' randomness source (never from a {@code Random} of their
 * own), so that a failing case shrinks towards the first choice of each draw: put the plainest value first.
 */
public final class Fuzz {

	/** The system property that overrides every property's number of tries. */
	public static final String TRIES = "fuzz.tries";

	private Fuzz() {
	}

	/**
	 * A theory trying {@code tries} cases (or {@code -Dfuzz.tries}), shrinking a failure for at most
	 * {@code shrinkCycles} steps: few for properties whose every case starts an application context.
	 * @param tries cases tried unless {@code -Dfuzz.tries} says otherwise
	 * @param shrinkCycles steps spent shrinking a failing case
	 * @return the theory
	 */
	public static QuickTheory theory(int tries, int shrinkCycles) {
		int examples = Integer.getInteger(TRIES, tries);
		return QuickTheory.qt(() -> Configuration.systemStrategy().withExamples(examples).withShrinkCycles(shrinkCycles));
	}

	/**
	 * Draws a number between {@code min} and {@code max}, both included, shrinking towards {@code min}.
	 */
	public static int between(RandomnessSource in, int min, int max) {
		return (int) in.next(Constraint.between(min, max).withShrinkPoint(min));
	}

	/**
	 * Draws true {@code percent} times in a hundred; shrinks towards false.
	 */
	public static boolean chance(RandomnessSource in, int percent) {
		return between(in, 0, 99) >= 100 - percent;
	}

	/**
	 * Draws one of {@code choices}, shrinking towards the first.
	 */
	public static <T> T pick(RandomnessSource in, List<T> choices) {
		return choices.get(between(in, 0, choices.size() - 1));
	}

	/**
	 * Draws one of {@code choices} (null among them, if it is one), shrinking towards the first.
	 */
	@SafeVarargs
	public static <T> T pick(RandomnessSource in, T... choices) {
		return choices[between(in, 0, choices.length - 1)];
	}

	/**
	 * Draws from one of {@code generators}, shrinking towards the first.
	 */
	@SafeVarargs
	public static <T> T oneOf(RandomnessSource in, Gen<? extends T>... generators) {
		return pick(in, List.of(generators)).generate(in);
	}

}
