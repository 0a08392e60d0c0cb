/**
 * Each provider's TLS set-up from its Spring Boot SSL bundle, checked at start-up.
 */
@NullMarked
package dev.tokenstarter.ssl;

import org.jspecify.annotations.NullMarked;
