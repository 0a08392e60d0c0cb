package dev.tokenstarter.reliability.runner;

import java.nio.file.Path;

/**
 * What every experiment is run with.
 * @param scale sizes and durations
 * @param classpath the fleet application's class path
 * @param output where each instance's log goes ({@code <experiment>/<instance>.log})
 * @param brokenLock whether the instances replace the fleet lock with one that does not lock (the broken build)
 */
record Harness(Scale scale, String classpath, Path output, boolean brokenLock) {
}
