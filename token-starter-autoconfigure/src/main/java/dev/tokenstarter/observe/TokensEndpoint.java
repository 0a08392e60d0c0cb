package dev.tokenstarter.observe;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.engine.TokenOperations;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * The {@code tokens} Actuator endpoint: every provider's grant, store, token times, last error and counts;
 * {@code POST /{provider}} renews the provider's token now, {@code DELETE /{provider}} evicts it (and revokes it
 * where the provider supports revocation). Token values never appear, not even in part.
 * <p>
 * Access defaults to read-only: once exposed, the endpoint may be reachable by anyone who reaches the management
 * port, and renewing or revoking a token there calls the provider and affects every instance that shares the
 * token. An application allows the write operations with
 * {@code management.endpoint.tokens.access=unrestricted}, and should then protect them.
 */
@Endpoint(id = "tokens", defaultAccess = Access.READ_ONLY)
public class TokensEndpoint {

	private final TokenOverview overview;

	private final TokenOperations tokenManager;

	private final TokenSettings settings;

	public TokensEndpoint(TokenOverview overview, TokenOperations tokenManager, TokenSettings settings) {
		this.overview = overview;
		this.tokenManager = tokenManager;
		this.settings = settings;
	}

	@ReadOperation
	public Map<String, Object> tokens() {
		Map<String, ProviderStatus> providers = new LinkedHashMap<>();
		this.overview.providers().forEach((status) -> providers.put(status.provider(), status));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("store", this.overview.store());
		body.put("providers", providers);
		return body;
	}

	@ReadOperation
	public @Nullable ProviderStatus provider(@Selector String provider) {
		return known(provider) ? this.tokenManager.status(provider) : null;
	}

	/**
	 * Renews the provider's token now. A failure is reported in the returned status, not thrown.
	 */
	@WriteOperation
	public @Nullable ProviderStatus refresh(@Selector String provider) {
		if (!known(provider)) {
			return null;
		}
		try {
			this.tokenManager.refresh(provider).block(timeout(provider));
		}
		catch (TokenAcquisitionException ex) {
			// The status below carries the error code; the exception adds nothing an operator needs.
		}
		return this.tokenManager.status(provider);
	}

	/**
	 * Forgets the provider's token here and in the store, revoking it first where the provider supports
	 * revocation.
	 */
	@DeleteOperation
	public @Nullable ProviderStatus evict(@Selector String provider) {
		if (!known(provider)) {
			return null;
		}
		this.tokenManager.revoke(provider).block(timeout(provider));
		return this.tokenManager.status(provider);
	}

	/** The provider's whole retry budget, and a margin for the renewal lock. */
	private Duration timeout(String provider) {
		return this.settings.provider(provider).retry().timeout().plusSeconds(5);
	}

	private boolean known(String provider) {
		return this.overview.providerNames().contains(provider);
	}

}
