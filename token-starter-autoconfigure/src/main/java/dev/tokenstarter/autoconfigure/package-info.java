/**
 * The auto-configurations that wire the starter's parts into a Spring Boot application. Nothing else
 * in the starter depends on them.
 */
@NullMarked
package dev.tokenstarter.autoconfigure;

import org.jspecify.annotations.NullMarked;
