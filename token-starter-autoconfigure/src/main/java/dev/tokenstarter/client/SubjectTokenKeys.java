package dev.tokenstarter.client;

import java.util.Map;
import java.util.function.Consumer;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;

/**
 * Builds the {@link TokenKey} of a token exchange or JWT bearer provider from the token of the request being
 * served: a resource server's {@code JwtAuthenticationToken} or {@code BearerTokenAuthentication} (any
 * authentication whose credentials are an {@link OAuth2Token}) becomes the subject token, so that a downstream
 * call carries a token acting for the same user, in one line:
 *
 * <pre>{@code
 * restClient.get().uri("/orders").attributes(SubjectTokenKeys.currentUser("orders")).retrieve()...
 * }</pre>
 *
 * or, for a reactive application, a filter placed before the provider's token filter:
 *
 * <pre>{@code
 * clients.webClient("orders").mutate().filters((filters) -> filters.add(0, SubjectTokenKeys.reactive("orders")))
 * }</pre>
 */
public final class SubjectTokenKeys {

	private SubjectTokenKeys() {
	}

	/**
	 * Returns the key of a provider's token for the subject of an authentication's token.
	 * @param registrationId the provider's name
	 * @param authentication the authentication of the request being served
	 * @return the key
	 * @throws IllegalStateException when the authentication carries no OAuth2 token
	 */
	public static TokenKey forAuthentication(String registrationId, Authentication authentication) {
		Assert.notNull(authentication, "authentication must not be null");
		TokenKey key = TokenKey.forSubjectOf(registrationId, authentication);
		if (key == null) {
			throw new IllegalStateException("The request's authentication carries no OAuth2 token to act for ("
					+ authentication.getClass().getSimpleName() + "): provider '" + registrationId
					+ "' needs a subject token, as a resource server's JwtAuthenticationToken or "
					+ "BearerTokenAuthentication has");
		}
		return key;
	}

	/**
	 * Returns what sets a request's key to the current user's, read from the {@link SecurityContextHolder} when
	 * the request is built: for a {@code RestClient}, or a {@code WebClient} of a servlet application.
	 * @param registrationId the provider's name
	 * @return the attribute setter
	 * @throws IllegalStateException when no authentication with an OAuth2 token is current
	 */
	public static Consumer<Map<String, Object>> currentUser(String registrationId) {
		return TokenKeyAttributes.tokenKey(forAuthentication(registrationId, current()));
	}

	/**
	 * Returns a {@code WebClient} filter that sets, on requests that name no key, the key of the user of the
	 * reactive security context; requests without one fail. Place it before the provider's token filter.
	 * @param registrationId the provider's name
	 * @return the filter
	 */
	public static ExchangeFilterFunction reactive(String registrationId) {
		Assert.hasText(registrationId, "registrationId must not be empty");
		return (request, next) -> {
			if (request.attribute(TokenKeyAttributes.TOKEN_KEY).isPresent()) {
				return next.exchange(request);
			}
			return ReactiveSecurityContextHolder.getContext()
				.mapNotNull(SecurityContext::getAuthentication)
				.switchIfEmpty(Mono.error(() -> noAuthentication(registrationId)))
				.map((authentication) -> forAuthentication(registrationId, authentication))
				.flatMap((key) -> next
					.exchange(ClientRequest.from(request).attributes(TokenKeyAttributes.tokenKey(key)).build()));
		};
	}

	private static Authentication current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null) {
			throw new IllegalStateException("No authentication is current: a subject token comes from the "
					+ "request being served");
		}
		return authentication;
	}

	private static IllegalStateException noAuthentication(String registrationId) {
		return new IllegalStateException("No authentication in the reactive security context: provider '"
				+ registrationId + "' needs the subject token of the request being served");
	}

}
