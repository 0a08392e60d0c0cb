/**
 * The reliability runner: real Redis and Sentinel processes, strict provider and API stubs, the fleet as separate
 * JVMs, one fault per experiment and one line of figures and verdict per experiment.
 */
@NullMarked
package dev.tokenstarter.reliability.runner;

import org.jspecify.annotations.NullMarked;
