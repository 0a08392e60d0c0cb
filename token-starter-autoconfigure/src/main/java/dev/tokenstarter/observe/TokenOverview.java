package dev.tokenstarter.observe;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.engine.TokenOperations;
import dev.tokenstarter.store.SharedTokenStore;

/**
 * Every provider's status and the store's state, as health and the Actuator endpoint show them. Reads what the
 * engine holds; never asks a provider for anything.
 */
public class TokenOverview {

	private final TokenOperations tokenManager;

	private final Iterable<ClientRegistration> configured;

	private final ReactiveOAuth2AuthorizedClientService store;

	public TokenOverview(TokenOperations tokenManager, Iterable<ClientRegistration> configured,
			ReactiveOAuth2AuthorizedClientService store) {
		this.tokenManager = tokenManager;
		this.configured = configured;
		this.store = store;
	}

	/**
	 * Returns the names of the configured providers and of any other registration the engine has served.
	 */
	public Set<String> providerNames() {
		Set<String> names = new LinkedHashSet<>();
		this.configured.forEach((registration) -> names.add(registration.getRegistrationId()));
		names.addAll(this.tokenManager.activeProviders());
		return names;
	}

	public List<ProviderStatus> providers() {
		return providerNames().stream().map(this.tokenManager::status).toList();
	}

	/**
	 * Returns {@code memory}, the shared store's name ({@code redis}), with {@code (degraded)} while it is
	 * unreachable, or the class of a store of the application's own.
	 */
	public String store() {
		if (this.store instanceof SharedTokenStore shared) {
			return shared.isDegraded() ? shared.name() + " (degraded)" : shared.name();
		}
		return (this.store.getClass().getSimpleName().startsWith("InMemory")) ? "memory"
				: this.store.getClass().getSimpleName();
	}

	/**
	 * Whether the provider can serve calls: it holds a valid token, or its last renewal did not fail, or that
	 * failure is older than the token held. An instance of a fleet mostly takes up its teammates' tokens rather than
	 * renewing, and one of those issued after its own failure tells the provider answered since; judged on the
	 * old error once that token expired unused, an idle instance went DOWN, and out of service, with nothing to
	 * bring it back.
	 */
	public static boolean healthy(ProviderStatus status) {
		if (status.usable() || status.lastError() == null) {
			return true;
		}
		Instant issuedAt = status.issuedAt();
		Instant failedAt = status.lastErrorAt();
		return issuedAt != null && failedAt != null && !issuedAt.isBefore(failedAt);
	}

}
