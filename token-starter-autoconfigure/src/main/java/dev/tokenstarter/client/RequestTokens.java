package dev.tokenstarter.client;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.web.client.RequestAttributePrincipalResolver;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenSource;

/**
 * The engine's calls for one request's token, shared by the filter and the interceptor: the key the request names,
 * or the provider's application token when it names none, which is served without building a key, at the cost the
 * hot path always had.
 */
final class RequestTokens {

	private RequestTokens() {
	}

	/** Reads the principal a call names for Spring Security's {@code OAuth2ClientHttpRequestInterceptor}. */
	private static final RequestAttributePrincipalResolver NAMED_PRINCIPALS = new RequestAttributePrincipalResolver();

	/**
	 * Returns the key of the current user's token for a provider whose tokens act for a subject, when the thread's
	 * security context holds an authentication with an OAuth2 token: what a call that names no key gets.
	 * @param registrationId the provider's name
	 * @return the key, or null when there is no such user (the engine then says the call needs one)
	 */
	static @Nullable TokenKey currentSubject(String registrationId) {
		return TokenKey.forSubjectOf(registrationId, SecurityContextHolder.getContext().getAuthentication());
	}

	/**
	 * Returns the key of a {@code RestClient} call's user, like {@link #currentSubject}, the principal the call
	 * names with Spring Security's {@code RequestAttributePrincipalResolver.principal(...)} coming first.
	 * @param request the call
	 * @param registrationId the provider's name
	 * @return the key, or null when there is no such user
	 */
	static @Nullable TokenKey subject(HttpRequest request, String registrationId) {
		Authentication named = NAMED_PRINCIPALS.resolve(request);
		return (named != null) ? TokenKey.forSubjectOf(registrationId, named) : currentSubject(registrationId);
	}

	static @Nullable ManagedToken usable(TokenSource tokens, String registrationId, @Nullable TokenKey key) {
		return (key != null) ? tokens.usableToken(key) : tokens.usableToken(registrationId);
	}

	static Mono<ManagedToken> await(TokenSource tokens, String registrationId, @Nullable TokenKey key) {
		return (key != null) ? tokens.awaitToken(key) : tokens.awaitToken(registrationId);
	}

	static Mono<ManagedToken> replaceRejected(TokenSource tokens, String registrationId, @Nullable TokenKey key,
			ManagedToken rejected) {
		return (key != null) ? tokens.replaceRejected(key, rejected) : tokens.replaceRejected(registrationId, rejected);
	}

	static void recordUnauthorizedRetry(TokenSource tokens, String registrationId, @Nullable TokenKey key,
			boolean success) {
		if (key != null) {
			tokens.recordUnauthorizedRetry(key, success);
		}
		else {
			tokens.recordUnauthorizedRetry(registrationId, success);
		}
	}

}
