/**
 * Each provider's TLS set-up from its Spring Boot SSL bundle, checked at start-up; the keys of its client
 * assertions and of its DPoP proofs (in memory, or the fleet's through a {@link dev.tokenstarter.ssl.DpopKeyStore}),
 * and which DPoP key each token is bound to.
 */
@NullMarked
package dev.tokenstarter.ssl;

import org.jspecify.annotations.NullMarked;
