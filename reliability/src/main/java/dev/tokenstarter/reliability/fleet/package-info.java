/**
 * The fleet application the reliability runner starts as separate JVMs: the starter in fleet mode on Redis, and
 * callers using its {@code RestClient} at a fixed rate, reporting what happened on standard output.
 */
@NullMarked
package dev.tokenstarter.reliability.fleet;

import org.jspecify.annotations.NullMarked;
