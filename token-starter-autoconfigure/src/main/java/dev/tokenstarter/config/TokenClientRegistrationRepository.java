package dev.tokenstarter.config;

import java.util.ArrayList;
import java.util.Collections;
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
import org.springframework.util.Assert;

/**
 * The registrations of {@code token.providers} (those with an {@code issuer-uri} discovered on first use), in
 * front of any other registration repository of the application, so the engine serves both. Spring Boot's
 * {@code spring.security.oauth2.client.registration.*} entries are held here where this repository stands in for
 * the reactive one Boot would build from them (reactive and non-web applications), and read from Boot's blocking
 * repository otherwise (servlet applications). Declared as a fallback bean: a
 * {@link ReactiveClientRegistrationRepository} of the application's own stays the one injected by type, and is
 * consulted here.
 */
public class TokenClientRegistrationRepository
		implements ReactiveClientRegistrationRepository, Iterable<ClientRegistration> {

	private final Map<String, ClientRegistration> registrations = new LinkedHashMap<>();

	private final Map<String, Mono<ClientRegistration>> discovered;

	private final Map<String, ClientRegistration> securityRegistrations = new LinkedHashMap<>();

	private final ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories;

	private final ObjectProvider<ClientRegistrationRepository> repositories;

	public TokenClientRegistrationRepository(List<ClientRegistration> registrations,
			ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		this(registrations, Map.of(), List.of(), reactiveRepositories, repositories);
	}

	public TokenClientRegistrationRepository(List<ClientRegistration> registrations,
			Map<String, Mono<ClientRegistration>> discovered,
			ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		this(registrations, discovered, List.of(), reactiveRepositories, repositories);
	}

	/**
	 * Creates a repository that also holds registrations configured outside {@code token.providers}.
	 * @param registrations the registrations of {@code token.providers}
	 * @param discovered the registrations of {@code token.providers} to discover, by name
	 * @param securityRegistrations the {@code spring.security.oauth2.client.registration.*} entries, when no other
	 * repository of the application holds them
	 * @param reactiveRepositories the application's other reactive repositories
	 * @param repositories the application's blocking repositories
	 */
	public TokenClientRegistrationRepository(List<ClientRegistration> registrations,
			Map<String, Mono<ClientRegistration>> discovered, List<ClientRegistration> securityRegistrations,
			ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		Assert.notNull(registrations, "registrations cannot be null");
		Assert.notNull(discovered, "discovered cannot be null");
		Assert.notNull(securityRegistrations, "securityRegistrations cannot be null");
		Assert.notNull(reactiveRepositories, "reactiveRepositories cannot be null");
		Assert.notNull(repositories, "repositories cannot be null");
		this.discovered = Map.copyOf(discovered);
		registrations.forEach((registration) -> this.registrations.put(registration.getRegistrationId(), registration));
		securityRegistrations.forEach(
				(registration) -> this.securityRegistrations.put(registration.getRegistrationId(), registration));
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
		ClientRegistration security = this.securityRegistrations.get(registrationId);
		if (security != null) {
			return Mono.just(security);
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
	 * Returns the registrations of {@code token.providers} only, those discovered from an {@code issuer-uri}
	 * excepted: they are not known before their first use.
	 * @return the providers' registrations, in configuration order
	 */
	public Iterable<ClientRegistration> providers() {
		return Collections.unmodifiableCollection(this.registrations.values());
	}

	/**
	 * Iterates over the registrations held here: those of {@code token.providers} (discovered ones excepted),
	 * then the {@code spring.security.oauth2.client.registration.*} entries held in place of Spring Boot's
	 * repository, so Spring Security's login page still lists them.
	 */
	@Override
	public Iterator<ClientRegistration> iterator() {
		List<ClientRegistration> all = new ArrayList<>(this.registrations.values());
		all.addAll(this.securityRegistrations.values());
		return Collections.unmodifiableList(all).iterator();
	}

}
