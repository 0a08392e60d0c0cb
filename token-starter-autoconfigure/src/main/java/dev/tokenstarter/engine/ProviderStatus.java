package dev.tokenstarter.engine;

import java.time.Instant;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the engine knows about one provider, for health and the Actuator endpoint: its application token (the one
 * a request that names no key is sent with) and counts over all its keys. Holds no token value.
 *
 * @param provider the provider's name
 * @param grant the primary grant
 * @param scopes the scopes of the held token
 * @param issuedAt when the held token was issued, or null when none is held
 * @param expiresAt when the held token expires, or null
 * @param nextRefresh when the held token turns stale and is renewed, or null
 * @param usable whether a token is held that can still be served
 * @param lastError the error code of the application token's last failed renewal since its last success, or
 * null; a key's failure (a user's, an audience's) is counted in {@code failures} only
 * @param lastErrorAt when it failed, or null
 * @param tokensObtained tokens obtained from the provider since start, for every key
 * @param failures failed renewals since start, of every key
 * @param unauthorizedRetries requests retried after the API rejected a token
 * @param coordinationLost whether this instance cannot coordinate with the fleet (the token store does not
 * answer) and so does not renew as it otherwise would: a single-session provider's authentications run within a
 * budget, and a refresh token another instance was given is left to that instance
 */
public record ProviderStatus(String provider, String grant, Set<String> scopes, @Nullable Instant issuedAt,
		@Nullable Instant expiresAt, @Nullable Instant nextRefresh, boolean usable, @Nullable String lastError,
		@Nullable Instant lastErrorAt, long tokensObtained, long failures, long unauthorizedRetries,
		boolean coordinationLost) {

}
