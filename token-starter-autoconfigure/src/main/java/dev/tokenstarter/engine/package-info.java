/**
 * The token engine: tokens held per provider, renewal ahead of expiry and on rejection, single-flight,
 * background refresh, acquisition at start-up and revocation at shutdown.
 */
@NullMarked
package dev.tokenstarter.engine;

import org.jspecify.annotations.NullMarked;
