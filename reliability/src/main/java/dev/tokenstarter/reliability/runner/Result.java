package dev.tokenstarter.reliability.runner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One experiment's figures and verdict, printed as one line.
 * @param number the experiment's number (1 to 7 as in issue 17, 8 for issue 15's)
 * @param name its name
 * @param figures what was measured, in the order measured
 * @param pass whether what must hold held
 */
record Result(int number, String name, Map<String, String> figures, boolean pass) {

	String line() {
		String measured = this.figures.entrySet()
			.stream()
			.map((figure) -> figure.getKey() + "=" + figure.getValue())
			.collect(Collectors.joining(" "));
		return String.format("%d %-21s %-4s %s", this.number, this.name, this.pass ? "PASS" : "FAIL", measured);
	}

	/**
	 * Collects figures and the conditions of the verdict.
	 */
	static final class Builder {

		private final int number;

		private final String name;

		private final Map<String, String> figures = new LinkedHashMap<>();

		private boolean pass = true;

		Builder(int number, String name) {
			this.number = number;
			this.name = name;
		}

		Builder figure(String key, Object value) {
			this.figures.put(key, String.valueOf(value));
			return this;
		}

		/**
		 * Adds a figure in seconds, to a tenth.
		 */
		Builder seconds(String key, long millis) {
			return figure(key, String.format("%.1fs", millis / 1000.0));
		}

		Builder require(boolean condition, String what) {
			if (!condition) {
				this.pass = false;
				this.figures.merge("violated", what, (a, b) -> a + "," + b);
			}
			return this;
		}

		Result build() {
			return new Result(this.number, this.name, this.figures, this.pass);
		}

	}

}
