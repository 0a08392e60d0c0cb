package dev.tokenstarter.reliability.runner;

/**
 * One experiment (issue 17's, and issue 15's users across JVMs): a fleet run under one fault or load, figures
 * measured, a verdict.
 */
interface Experiment {

	int number();

	String name();

	Result run(Harness harness) throws Exception;

}
