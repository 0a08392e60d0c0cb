/**
 * Where authorized clients are kept: the Redis store shared by a fleet (encrypted, versioned, with change
 * messages), its availability tracking, and the blocking face of any reactive store.
 */
@NullMarked
package dev.tokenstarter.store;

import org.jspecify.annotations.NullMarked;
