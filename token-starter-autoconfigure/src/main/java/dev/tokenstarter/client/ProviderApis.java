package dev.tokenstarter.client;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.ClientAttributes;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.util.Assert;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenGrantType;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * The providers whose API calls the engine can serve, by registration id: every {@code token.providers} entry,
 * and the registrations of Spring Security with a grant the engine runs (client credentials, password). Others,
 * such as an application's login registrations, stay Spring Security's: a call that names one
 * ({@code @ClientRegistrationId}) is left to Spring Security's own filter or interceptor. Each registration id is
 * looked up once.
 */
final class ProviderApis {

	/**
	 * The request attribute Spring Security's {@code ClientRegistrationIdProcessor} sets from
	 * {@code @ClientRegistrationId}. Spring Security keeps its name private and offers only a writer, which
	 * reveals it.
	 */
	private static final String REGISTRATION_ID_ATTRIBUTE = registrationIdAttribute();

	private final TokenSettings settings;

	private final ReactiveClientRegistrationRepository registrations;

	private final DpopProofs dpopProofs;

	private final Map<String, Optional<ProviderApi>> served = new ConcurrentHashMap<>();

	ProviderApis(TokenSettings settings, ReactiveClientRegistrationRepository registrations, DpopProofs dpopProofs) {
		Assert.notNull(settings, "settings cannot be null");
		Assert.notNull(registrations, "registrations cannot be null");
		Assert.notNull(dpopProofs, "dpopProofs cannot be null");
		this.settings = settings;
		this.registrations = registrations;
		this.dpopProofs = dpopProofs;
	}

	/**
	 * Returns the API of a provider the application names, whatever its grant.
	 * @param provider the provider's name
	 * @return its API
	 * @throws IllegalArgumentException when no registration has that name
	 */
	ProviderApi require(String provider) {
		// A provider with an issuer-uri is known by name: looking it up would discover it, at start-up.
		if (isConfigured(provider)) {
			return api(provider, this.settings.isTokenExchange(provider));
		}
		ClientRegistration registration = this.registrations.findByRegistrationId(provider)
			.blockOptional()
			.orElseThrow(() -> new IllegalArgumentException("No token provider named '" + provider
					+ "': configure token.providers." + provider + " (or a spring.security.oauth2.client registration)"));
		return api(provider, isTokenExchange(registration));
	}

	/**
	 * Returns the API of a registration the engine serves, waiting for its first lookup.
	 * @param registrationId the registration id
	 * @return its API, or null when the engine does not serve it
	 */
	@Nullable ProviderApi find(String registrationId) {
		return lookup(registrationId).block();
	}

	/**
	 * Returns the API of a registration the engine serves.
	 * @param registrationId the registration id
	 * @return its API, or empty when the engine does not serve it
	 */
	Mono<ProviderApi> lookup(String registrationId) {
		Optional<ProviderApi> known = this.served.get(registrationId);
		if (known != null) {
			return Mono.justOrEmpty(known);
		}
		if (isConfigured(registrationId)) {
			boolean tokenExchange = this.settings.isTokenExchange(registrationId);
			return Mono.just(remember(registrationId, api(registrationId, tokenExchange)));
		}
		return this.registrations.findByRegistrationId(registrationId)
			.map((registration) -> hasEngineGrant(registration)
					? Optional.of(api(registrationId, isTokenExchange(registration))) : Optional.<ProviderApi>empty())
			.defaultIfEmpty(Optional.empty())
			.mapNotNull((api) -> remember(registrationId, api.orElse(null)));
	}

	private @Nullable ProviderApi remember(String registrationId, @Nullable ProviderApi api) {
		return this.served.computeIfAbsent(registrationId, (id) -> Optional.ofNullable(api)).orElse(null);
	}

	private ProviderApi api(String registrationId, boolean tokenExchange) {
		return ProviderApi.of(this.settings.provider(registrationId), this.dpopProofs, tokenExchange);
	}

	private static boolean isTokenExchange(ClientRegistration registration) {
		return AuthorizationGrantType.TOKEN_EXCHANGE.equals(registration.getAuthorizationGrantType());
	}

	private boolean isConfigured(String registrationId) {
		return this.registrations instanceof TokenClientRegistrationRepository tokenRegistrations
				&& tokenRegistrations.isConfigured(registrationId);
	}

	private static boolean hasEngineGrant(ClientRegistration registration) {
		return Arrays.stream(TokenGrantType.values())
			.anyMatch((grant) -> grant.toAuthorizationGrantType().equals(registration.getAuthorizationGrantType()));
	}

	/**
	 * Returns the registration id a call names ({@code @ClientRegistrationId}), from its attributes.
	 * @param attributes the request's attributes
	 * @return the registration id, or null
	 */
	static @Nullable String selected(Map<String, Object> attributes) {
		return ClientAttributes.resolveClientRegistrationId(attributes);
	}

	/**
	 * Removes the registration id from a call's attributes, so that a filter or interceptor of Spring Security's
	 * further down the chain leaves the call to the starter's.
	 * @param attributes the request's attributes
	 */
	static void hideSelection(Map<String, Object> attributes) {
		attributes.remove(REGISTRATION_ID_ATTRIBUTE);
	}

	private static String registrationIdAttribute() {
		Map<String, Object> attributes = new HashMap<>();
		ClientAttributes.clientRegistrationId("any").accept(attributes);
		Assert.state(attributes.size() == 1, "Spring Security's registration id attribute cannot be found");
		return attributes.keySet().iterator().next();
	}

}
