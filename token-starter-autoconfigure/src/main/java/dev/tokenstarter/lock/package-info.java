/**
 * One renewal of a token at a time: within the process, or across the fleet with Redisson.
 */
@NullMarked
package dev.tokenstarter.lock;

import org.jspecify.annotations.NullMarked;
