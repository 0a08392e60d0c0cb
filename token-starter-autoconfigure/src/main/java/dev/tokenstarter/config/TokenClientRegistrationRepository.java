package dev.tokenstarter.config;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;

/**
 * The registrations of {@code token.providers} (those with an {@code issuer-uri} discovered on first use), in
 * front of any other registration repository of the
 * application (such as the one Spring Boot builds from {@code spring.security.oauth2.client.registration.*},
 * reactive or blocking), so the engine serves both.
 */
public class TokenClientRegistrationRepository
		implements ReactiveClientRegistrationRepository, Iterable<ClientRegistration> {

	private final Map<String, ClientRegistration> registrations = new LinkedHashMap<>();

	private final Map<String, Mono<ClientRegistration>> discovered;

	private final ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories;

	private final ObjectProvider<ClientRegistrationRepository> repositories;

	public TokenClientRegistrationRepository(List<ClientRegistration> registrations,
			ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		this(registrations, Map.of(), reactiveRepositories, repositories);
	}

	public TokenClientRegistrationRepository(List<ClientRegistration> registrations,
			Map<String, Mono<ClientRegistration>> discovered,
			ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		this.discovered = Map.copyOf(discovered);
		registrations.forEach((registration) -> this.registrations.put(registration.getRegistrationId(), registration));
		this.reactiveRepositories = reactiveRepositories;
		this.repositories = repositories;
	}

	@Override
	public Mono<ClientRegistration> findByRegistrationId(String registrationId) {
		ClientRegistration own = this.registrations.get(registrationId);
		if (own != null) {
			return Mono.just(own);
		}
		Mono<ClientRegistration> discovered = this.discovered.get(registrationId);
		if (discovered != null) {
			return discovered;
		}
		Optional<ClientRegistration> blocking = this.repositories.orderedStream()
			.map((repository) -> repository.findByRegistrationId(registrationId))
			.filter(Objects::nonNull)
			.findFirst();
		if (blocking.isPresent()) {
			return Mono.just(blocking.get());
		}
		return this.reactiveRepositories.orderedStream()
			.filter((repository) -> repository != this)
			.map((repository) -> repository.findByRegistrationId(registrationId))
			.reduce(Mono.empty(), Mono::switchIfEmpty);
	}

	/**
	 * Whether a {@code token.providers} entry of that name exists, without discovering its registration.
	 * @param registrationId the provider's name
	 * @return whether it is configured
	 */
	public boolean isConfigured(String registrationId) {
		return this.registrations.containsKey(registrationId) || this.discovered.containsKey(registrationId);
	}

	/**
	 * Iterates over the registrations of {@code token.providers} only, those discovered from an
	 * {@code issuer-uri} excepted: they are not known before their first use.
	 */
	@Override
	public Iterator<ClientRegistration> iterator() {
		return this.registrations.values().iterator();
	}

}
