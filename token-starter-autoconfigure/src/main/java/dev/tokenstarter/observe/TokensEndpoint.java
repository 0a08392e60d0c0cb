package dev.tokenstarter.observe;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.engine.TokenOperations;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.ssl.DpopKeys;

/**
 * The {@code tokens} Actuator endpoint: every provider's grant, store, token times, last error and counts;
 * {@code POST /{provider}} renews the provider's token now, {@code DELETE /{provider}} evicts it (and revokes it
 * where the provider supports revocation), {@code POST /{provider}/dpop-key} rotates a DPoP provider's key. Token
 * values never appear, not even in part.
 * <p>
 * Access defaults to read-only: once exposed, the endpoint may be reachable by anyone who reaches the management
 * port, and renewing or revoking a token there calls the provider and affects every instance that shares the
 * token. An application allows the write operations with
 * {@code management.endpoint.tokens.access=unrestricted}, and should then protect them.
 */
@Endpoint(id = "tokens", defaultAccess = Access.READ_ONLY)
public class TokensEndpoint {

	/** The part of a provider that {@link #rotate} replaces. */
	static final String DPOP_KEY = "dpop-key";

	private final TokenOverview overview;

	private final TokenOperations tokenManager;

	private final TokenSettings settings;

	private @Nullable DpopKeys dpopKeys;

	public TokensEndpoint(TokenOverview overview, TokenOperations tokenManager, TokenSettings settings) {
		this.overview = overview;
		this.tokenManager = tokenManager;
		this.settings = settings;
	}

	/**
	 * Sets the DPoP keys, which the key rotation operation replaces.
	 * @param dpopKeys the providers' DPoP keys
	 */
	public void setDpopKeys(DpopKeys dpopKeys) {
		this.dpopKeys = dpopKeys;
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
	 * Rotates a DPoP provider's key ({@code POST /{provider}/dpop-key}): makes a new key pair the one its token
	 * requests are signed with (the fleet's, on a shared store) and obtains a token bound to it, which the other
	 * instances take up with the new key. Tokens bound to the old key are sent with it until they are replaced.
	 * A failure to obtain the token is reported in the returned status, not thrown; the new key stays. A
	 * provider without DPoP has no key to rotate: that request is refused (400).
	 */
	@WriteOperation
	public @Nullable ProviderStatus rotate(@Selector String provider, @Selector String part) {
		if (!known(provider)) {
			return null;
		}
		DpopKeys keys = this.dpopKeys;
		if (!DPOP_KEY.equals(part) || keys == null || !this.settings.provider(provider).isDpop()) {
			throw new InvalidEndpointRequestException("Provider '" + provider + "' has no " + part + " to rotate",
					"only a DPoP provider's dpop-key can be rotated");
		}
		try {
			keys.rotate(provider)
				.flatMap((key) -> this.tokenManager.refresh(provider)
					// An instance that held no token yet may be served the stored one, bound to the old key.
					.flatMap((token) -> key.thumbprint().equals(keys.thumbprintOf(token.accessToken()))
							? Mono.just(token) : this.tokenManager.refresh(provider)))
				.block(timeout(provider).multipliedBy(2));
		}
		catch (TokenAcquisitionException ex) {
			// The status below carries the error code; the exception adds nothing an operator needs.
		}
		return this.tokenManager.status(provider);
	}

	/**
	 * Forgets the provider's token here and in the store, then revokes it where the provider supports revocation.
	 * The revocation is best effort: a provider that refuses it, or does not answer, has its failure logged at
	 * WARN, and the token stays valid there until it expires; it is forgotten all the same.
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
