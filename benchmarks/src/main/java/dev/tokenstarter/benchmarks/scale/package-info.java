/**
 * The scale experiment (issue 20): how the fleet's cost grows with its size, from 3 to hundreds of instances on
 * one Redis.
 */
@NullMarked
package dev.tokenstarter.benchmarks.scale;

import org.jspecify.annotations.NullMarked;
