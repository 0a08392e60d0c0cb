package dev.tokenstarter.store;

import java.util.function.BiConsumer;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.util.Assert;

/**
 * The store as Spring Security's reactive components see it, above all WebFlux {@code oauth2Login()}, which saves
 * a user's authorized client through its {@code ServerOAuth2AuthorizedClientRepository} without reading it first.
 * The reactive counterpart of {@link BlockingAuthorizedClientService}: a save replaces whatever the Redis store
 * holds for the user, whichever version that is (a compare-and-set would refuse the login of a user whose entry
 * another instance wrote), and each save and removal is told to this instance's engine, which hears only the
 * other instances' change messages, so a new login always wins over a token it held. The engine saves through the
 * store itself, never through this face.
 */
public class ReplacingAuthorizedClientService implements ReactiveOAuth2AuthorizedClientService {

	private final ReactiveOAuth2AuthorizedClientService delegate;

	private final BiConsumer<String, String> changed;

	/**
	 * Creates the face.
	 * @param delegate the store
	 * @param changed told the registration id and principal name of each client saved or removed
	 */
	public ReplacingAuthorizedClientService(ReactiveOAuth2AuthorizedClientService delegate,
			BiConsumer<String, String> changed) {
		Assert.notNull(delegate, "delegate cannot be null");
		Assert.notNull(changed, "changed cannot be null");
		this.delegate = delegate;
		this.changed = changed;
	}

	@Override
	public <T extends OAuth2AuthorizedClient> Mono<T> loadAuthorizedClient(String clientRegistrationId,
			String principalName) {
		return this.delegate.loadAuthorizedClient(clientRegistrationId, principalName);
	}

	@Override
	public Mono<Void> saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
		Mono<Void> save = (this.delegate instanceof RedisAuthorizedClientService redis)
				? redis.replaceAuthorizedClient(authorizedClient, principal)
				: this.delegate.saveAuthorizedClient(authorizedClient, principal);
		return save.then(Mono.fromRunnable(() -> this.changed
			.accept(authorizedClient.getClientRegistration().getRegistrationId(), principal.getName())));
	}

	@Override
	public Mono<Void> removeAuthorizedClient(String clientRegistrationId, String principalName) {
		return this.delegate.removeAuthorizedClient(clientRegistrationId, principalName)
			.then(Mono.fromRunnable(() -> this.changed.accept(clientRegistrationId, principalName)));
	}

}
