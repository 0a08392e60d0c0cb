/**
 * Test support for applications that use the starter: an in-process token provider that the application's
 * providers are pointed at in {@code @SpringBootTest}s, and the handle a test steers and inspects it with.
 */
@NullMarked
package dev.tokenstarter.testing;

import org.jspecify.annotations.NullMarked;
