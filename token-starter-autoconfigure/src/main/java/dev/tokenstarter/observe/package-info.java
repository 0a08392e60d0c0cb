/**
 * What operators see: the observers that turn engine events into logs and meters, the health indicator
 * and the {@code tokens} Actuator endpoint.
 */
@NullMarked
package dev.tokenstarter.observe;

import org.jspecify.annotations.NullMarked;
