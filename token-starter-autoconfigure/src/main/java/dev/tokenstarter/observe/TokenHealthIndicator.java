package dev.tokenstarter.observe;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.tokenstarter.engine.ProviderStatus;

/**
 * {@code tokens} health: DOWN when a provider's renewals fail and it holds no valid token any more, UP otherwise;
 * each provider's state and the store's in the details. Never triggers a token request.
 */
public class TokenHealthIndicator extends AbstractHealthIndicator {

	private final TokenOverview overview;

	public TokenHealthIndicator(TokenOverview overview) {
		super("Token health check failed");
		this.overview = overview;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean down = false;
		Map<String, Object> providers = new LinkedHashMap<>();
		for (ProviderStatus status : this.overview.providers()) {
			boolean healthy = TokenOverview.healthy(status);
			down |= !healthy;
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("status", healthy ? Status.UP.getCode() : Status.DOWN.getCode());
			details.put("tokenHeld", status.usable());
			if (status.expiresAt() != null) {
				details.put("expiresAt", status.expiresAt().toString());
			}
			if (status.lastError() != null) {
				details.put("error", status.lastError());
			}
			if (status.coordinationLost()) {
				details.put("coordination", "coordination lost: the token store does not answer, so this instance "
						+ "renews only what is its own to renew (a single-session provider within a budget, a "
						+ "refresh token only if the provider gave it to this instance)");
			}
			providers.put(status.provider(), details);
		}
		builder.status(down ? Status.DOWN : Status.UP)
			.withDetail("store", this.overview.store())
			.withDetail("providers", providers);
	}

}
