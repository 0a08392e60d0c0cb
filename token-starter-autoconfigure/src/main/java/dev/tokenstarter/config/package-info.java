/**
 * The {@code token.*} properties, their validation and failure analysis, and the settings resolved from them:
 * the one place the rest of the starter learns a provider's settings from.
 */
@NullMarked
package dev.tokenstarter.config;

import org.jspecify.annotations.NullMarked;
