/**
 * The application's HTTP clients: {@code WebClient} filter and {@code RestClient} interceptor that send a
 * provider's token and retry once with a renewed one when the API rejects it.
 */
@NullMarked
package dev.tokenstarter.client;

import org.jspecify.annotations.NullMarked;
