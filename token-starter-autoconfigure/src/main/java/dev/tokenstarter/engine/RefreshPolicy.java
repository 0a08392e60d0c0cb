package dev.tokenstarter.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.RefreshSettings;

/**
 * Places a token's two thresholds. <em>Stale</em>: the remaining lifetime is inside the refresh-ahead window
 * (a share of the lifetime, capped), moved earlier by a random jitter so a fleet does not renew in lock-step.
 * <em>Expired</em>: the remaining lifetime is inside the safety margin, itself capped at a tenth of the lifetime
 * so that short tokens stay usable.
 */
final class RefreshPolicy {

	private final RefreshSettings settings;

	private final Clock clock;

	private final boolean applicationTokens;

	/**
	 * Creates the policy of one key's tokens.
	 * @param settings the provider's renewal timing
	 * @param clock the engine's clock
	 * @param applicationTokens whether the tokens are a provider's application token (see {@link ManagedToken})
	 */
	RefreshPolicy(RefreshSettings settings, Clock clock, boolean applicationTokens) {
		this.settings = settings;
		this.clock = clock;
		this.applicationTokens = applicationTokens;
	}

	ManagedToken manage(OAuth2AuthorizedClient client) {
		OAuth2AccessToken token = client.getAccessToken();
		long now = this.clock.millis();
		Instant issuedAt = token.getIssuedAt();
		Instant expiresAt = token.getExpiresAt();
		long expiresAtMillis = (expiresAt != null) ? expiresAt.toEpochMilli()
				: now + this.settings.defaultLifetime().toMillis();
		long issuedAtMillis = (issuedAt != null) ? issuedAt.toEpochMilli() : now;
		long lifetime = Math.max(1, expiresAtMillis - issuedAtMillis);
		long margin = Math.min(this.settings.expiryMargin().toMillis(), lifetime / 10);
		long window = Math.min(this.settings.maxRefreshAhead().toMillis(),
				(long) (lifetime * this.settings.refreshAheadRatio()));
		window = Math.max(window, margin);
		long maxJitter = (long) (window * this.settings.jitter());
		long jitter = (maxJitter > 0) ? ThreadLocalRandom.current().nextLong(maxJitter + 1) : 0;
		return new ManagedToken(client, expiresAtMillis - window - jitter, expiresAtMillis - margin, now,
				this.applicationTokens);
	}

}
