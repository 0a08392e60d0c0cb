package dev.tokenstarter.reliability.runner;

/**
 * One of issue 17's experiments: one fault injected into a running fleet, figures measured, a verdict.
 */
interface Experiment {

	int number();

	String name();

	Result run(Harness harness) throws Exception;

}
