package dev.tokenstarter.client;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.tokenstarter.client.RejectedTokenRetry.Verdict;
import dev.tokenstarter.config.TokenGrantType;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.BodyBytes;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * Puts a provider's token, and the headers its API expects on every call, on every {@code WebClient} request.
 * When the API answers with one of the provider's unauthorized statuses, the rejected token is renewed and the
 * request sent once more; a second rejection is returned to the caller as it is, and so is a rejection the engine
 * does not renew because the API refuses even newly issued tokens.
 * <p>
 * A filter of {@link TokenClients} also serves a request that names its registration with Spring Security's
 * {@code @ClientRegistrationId} (the request attribute of {@code ClientRegistrationIdProcessor}): a provider the
 * engine serves is then used for that request instead of the filter's own, and the attribute is removed so that
 * a Spring Security filter further down the chain leaves the request alone. A registration the engine does not
 * serve is left to Spring Security: the request goes on untouched. An {@code OAuth2AuthorizedClient} set with
 * Spring's {@code oauth2AuthorizedClient(...)} names its registration the same way; the request is sent with the
 * engine's token of that registration, which the engine keeps renewed, rather than with the client's own: the
 * application's, or for a login's or a password grant's client of a user, that user's.
 */
public final class TokenExchangeFilterFunction implements ExchangeFilterFunction {

	private static final Log logger = LogFactory.getLog(TokenExchangeFilterFunction.class);

	/**
	 * The request attribute of Spring Security's {@code ServerOAuth2AuthorizedClientExchangeFilterFunction} and
	 * {@code ServletOAuth2AuthorizedClientExchangeFilterFunction} for an authorized client chosen by the caller.
	 */
	private static final String AUTHORIZED_CLIENT_ATTRIBUTE = OAuth2AuthorizedClient.class.getName();

	/**
	 * The request attribute of Spring Security's {@code ServletOAuth2AuthorizedClientExchangeFilterFunction} for
	 * the authentication a call is made for ({@code authentication(...)}).
	 */
	private static final String AUTHENTICATION_ATTRIBUTE = Authentication.class.getName();

	/**
	 * Where Spring Security's servlet support ({@code SecurityReactorContextConfiguration}) puts the request's
	 * authentication in the Reactor context, so that it reaches a call subscribed on another thread. Spring keeps
	 * the name package-private in its servlet exchange filter.
	 */
	private static final String SERVLET_CONTEXT_ATTRIBUTES = "org.springframework.security.SECURITY_CONTEXT_ATTRIBUTES";

	private final TokenManager tokenManager;

	private final RejectedTokenRetry<ClientResponse> retry;

	private final ProviderRouting routing;

	/**
	 * Creates a filter for one provider.
	 * @param tokenManager the engine
	 * @param registrationId the provider's name
	 * @param unauthorizedStatuses the API statuses that mean the token was rejected
	 * @param apiHeaders headers every request carries unless it sets them itself
	 */
	public TokenExchangeFilterFunction(TokenManager tokenManager, String registrationId,
			Set<Integer> unauthorizedStatuses, Map<String, String> apiHeaders) {
		// The wait is the engine's (refresh.max-caller-wait): a reactive caller is never blocked here.
		this(tokenManager,
				ProviderRouting.to(new ProviderApi(registrationId, unauthorizedStatuses, apiHeaders, Duration.ZERO)));
	}

	/**
	 * Creates a filter for a provider, for the providers requests name, or both.
	 * @param tokenManager the engine
	 * @param routing which provider's token each request gets
	 */
	TokenExchangeFilterFunction(TokenManager tokenManager, ProviderRouting routing) {
		Assert.notNull(tokenManager, "tokenManager cannot be null");
		Assert.notNull(routing, "routing cannot be null");
		this.tokenManager = tokenManager;
		this.retry = new RejectedTokenRetry<>(tokenManager, logger, (answer) -> answer.headers().asHttpHeaders());
		this.routing = routing;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		ProviderApis selectable = this.routing.selectable();
		String selected = (selectable != null) ? this.routing.selection(selected(request.attributes()), request.attributes())
				: null;
		if (selectable == null || this.routing.toOwnProvider(selected)) {
			ProviderApi provider = this.routing.provider();
			return (provider != null) ? exchange(request, next, provider) : next.exchange(request);
		}
		return selectable.lookup(selected)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((api) -> api.isPresent() ? exchange(request, next, api.get()) : next.exchange(request));
	}

	private Mono<ClientResponse> exchange(ClientRequest request, ExchangeFunction next, ProviderApi api) {
		String registrationId = api.registrationId();
		TokenKey key;
		try {
			TokenKey chosen = TokenKeyAttributes.find(registrationId, request.attributes());
			key = (chosen != null) ? chosen : authorizedClientsUser(registrationId, request.attributes());
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(ex);
		}
		if (key == null && api.actsForSubject()) {
			return subject(request, registrationId)
				.flatMap((subject) -> exchange(request, next, api, subject.orElse(null)));
		}
		return exchange(request, next, api, key);
	}

	/**
	 * Returns the key of the user a call is made for, of the first of: the authentication the call names as
	 * Spring Security's servlet filter takes it ({@code authentication(...)}), the reactive security context of a
	 * WebFlux request, the servlet request's authentication Spring Security puts in the Reactor context, and the
	 * thread's security context (read where the call is subscribed, which {@code .block()} does on the request's
	 * thread). Empty when that one holds no OAuth2 token.
	 */
	private static Mono<Optional<TokenKey>> subject(ClientRequest request, String registrationId) {
		if (request.attributes().get(AUTHENTICATION_ATTRIBUTE) instanceof Authentication named) {
			return Mono.just(Optional.ofNullable(TokenKey.forSubjectOf(registrationId, named)));
		}
		return ReactiveSecurityContextHolder.getContext()
			.map((context) -> Optional.ofNullable(TokenKey.forSubjectOf(registrationId, context.getAuthentication())))
			.switchIfEmpty(Mono.deferContextual((context) -> {
				Authentication servlet = servletAuthentication(context);
				return Mono.just(Optional.ofNullable((servlet != null) ? TokenKey.forSubjectOf(registrationId, servlet)
						: RequestTokens.currentSubject(registrationId)));
			}));
	}

	/**
	 * Returns the servlet request's authentication that Spring Security put in the Reactor context, or null.
	 */
	private static @Nullable Authentication servletAuthentication(ContextView context) {
		return (context.getOrDefault(SERVLET_CONTEXT_ATTRIBUTES, null) instanceof Map<?, ?> attributes
				&& attributes.get(Authentication.class) instanceof Authentication authentication) ? authentication
						: null;
	}

	private Mono<ClientResponse> exchange(ClientRequest request, ExchangeFunction next, ProviderApi api,
			@Nullable TokenKey key) {
		String registrationId = api.registrationId();
		// A usable token is taken synchronously: the hot path builds no Reactor stage to wait for it.
		ManagedToken usable = RequestTokens.usable(this.tokenManager, registrationId, key);
		if (usable != null) {
			return send(request, next, api, key, usable);
		}
		return RequestTokens.await(this.tokenManager, registrationId, key)
			.flatMap((token) -> send(request, next, api, key, token));
	}

	private Mono<ClientResponse> send(ClientRequest request, ExchangeFunction next, ProviderApi api,
			@Nullable TokenKey key, ManagedToken token) {
		ResendableBody body = ResendableBody.of(request);
		if (body == null) {
			return send(request, request, null, next, api, key, token);
		}
		return send(body.keeping(), request, body, next, api, key, token).doFinally((signal) -> body.forget());
	}

	private Mono<ClientResponse> send(ClientRequest first, ClientRequest request, @Nullable ResendableBody body,
			ExchangeFunction next, ProviderApi api, @Nullable TokenKey key, ManagedToken token) {
		return exchangeWith(first, next, api, token).flatMap((response) -> {
			Verdict verdict = this.retry.judge(api, token.isDpopBound(), response.statusCode().value(), response);
			if (verdict != Verdict.RESEND) {
				return answered(request, body, next, api, key, response, token, verdict);
			}
			ClientRequest again = again(request, body);
			if (again == null) {
				this.retry.logUnsent(api, "asked for a new DPoP nonce");
				return Mono.just(response);
			}
			return response.releaseBody()
				.then(exchangeWith(again, next, api, token))
				.flatMap((resent) -> answered(request, body, next, api, key, resent, token,
						this.retry.judgeResent(api, resent.statusCode().value(), resent)));
		});
	}

	private Mono<ClientResponse> answered(ClientRequest request, @Nullable ResendableBody body, ExchangeFunction next,
			ProviderApi api, @Nullable TokenKey key, ClientResponse response, ManagedToken token, Verdict verdict) {
		return (verdict == Verdict.RENEW) ? retry(request, body, next, api, key, response, token)
				: Mono.just(response);
	}

	/**
	 * Sends the request with a token. A DPoP-bound token's proof is signed off Reactor's non-blocking threads,
	 * since an ES256 signature takes about a millisecond of CPU (benchmarks/RESULTS.md, DPoP), which on an event
	 * loop would hold up every connection it serves; its answers may carry the server's next nonce.
	 */
	private Mono<ClientResponse> exchangeWith(ClientRequest request, ExchangeFunction next, ProviderApi api,
			ManagedToken token) {
		if (!token.isDpopBound()) {
			return next.exchange(withToken(request, api, token));
		}
		Mono<ClientRequest> signed = Mono.fromCallable(() -> withToken(request, api, token));
		return (Schedulers.isInNonBlockingThread() ? signed.subscribeOn(Schedulers.boundedElastic()) : signed)
			.flatMap(next::exchange)
			.doOnNext((answer) -> this.retry.keepNonce(api, request.url(), answer));
	}

	/**
	 * Sends the request once more with the rejected token's replacement. The rejection's body is read for the
	 * log only once a replacement is known: a rejection the engine does not renew goes back to the caller whole,
	 * and so does one whose request's body cannot be sent again, though its token is renewed for the next calls.
	 */
	private Mono<ClientResponse> retry(ClientRequest request, @Nullable ResendableBody body, ExchangeFunction next,
			ProviderApi api, @Nullable TokenKey key, ClientResponse rejection, ManagedToken rejected) {
		int status = rejection.statusCode().value();
		return this.retry.renewal(api, key, rejected)
			.onErrorResume((ex) -> rejection.releaseBody().then(Mono.error(ex)))
			.flatMap((token) -> {
				ClientRequest again = again(request, body);
				if (again == null) {
					this.retry.logUnsent(api, "rejected its token (" + status + "), which is renewed");
					return Mono.just(rejection);
				}
				return BodyBytes.first(rejection, ApiRejection.MAX_BODY_BYTES)
					.doOnNext((rejectionBody) -> this.retry.logRejection(api, status, rejectionBody))
					.then(exchangeWith(again, next, api, token))
					.doOnNext((response) -> this.retry.recordAnswer(api, key, token.isDpopBound(),
							response.statusCode().value(), response))
					.doOnError((ex) -> this.retry.recordRetry(api, key, false));
			})
			.switchIfEmpty(Mono.just(rejection));
	}

	/**
	 * Returns the request to send again: as it is without a body, otherwise with the body its first sending wrote,
	 * or null when that body could not be kept.
	 */
	private static @Nullable ClientRequest again(ClientRequest request, @Nullable ResendableBody body) {
		return (body != null) ? body.again() : request;
	}

	private static ClientRequest withToken(ClientRequest request, ProviderApi api, ManagedToken token) {
		return ClientRequest.from(request).headers((headers) -> {
			api.addHeaders(headers);
			headers.set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
			if (token.isDpopBound()) {
				headers.set(DpopProofs.HEADER, api.dpopProof(request.method(), request.url(), token));
			}
		}).attributes(TokenExchangeFilterFunction::hideSelection).build();
	}

	/**
	 * Returns the registration a request names: with {@code @ClientRegistrationId}, or with the
	 * {@code OAuth2AuthorizedClient} it carries for Spring Security's exchange filters
	 * ({@code oauth2AuthorizedClient(...)}), whose registration then chooses the provider as the id would.
	 */
	private static @Nullable String selected(Map<String, Object> attributes) {
		String named = ProviderApis.selected(attributes);
		if (named != null) {
			return named;
		}
		return (attributes.get(AUTHORIZED_CLIENT_ATTRIBUTE) instanceof OAuth2AuthorizedClient client)
				? client.getClientRegistration().getRegistrationId() : null;
	}

	/**
	 * Returns the key of the user whose {@code OAuth2AuthorizedClient} the caller set with
	 * {@code oauth2AuthorizedClient(...)}, when the registration's tokens are users' (a login, the password grant):
	 * the request acts for that user, and must carry the user's token, kept renewed by the engine, not the
	 * application's. Null otherwise: a client-credentials token is the application's, whoever's request holds it.
	 */
	private @Nullable TokenKey authorizedClientsUser(String registrationId, Map<String, Object> attributes) {
		if (!(attributes.get(AUTHORIZED_CLIENT_ATTRIBUTE) instanceof OAuth2AuthorizedClient client)) {
			return null;
		}
		ClientRegistration registration = client.getClientRegistration();
		AuthorizationGrantType grant = registration.getAuthorizationGrantType();
		boolean login = AuthorizationGrantType.AUTHORIZATION_CODE.equals(grant);
		boolean usersTokens = login || TokenGrantType.PASSWORD.toAuthorizationGrantType().equals(grant);
		String name = client.getPrincipalName();
		if (!usersTokens || !registration.getRegistrationId().equals(registrationId)
				|| TokenKey.isApplicationPrincipal(name)) {
			return null;
		}
		// The engine's own client of a key with scopes or parameters of its own is stored under the user's name and
		// the request's fingerprint: the key held here says which request that was.
		TokenKey held = this.tokenManager.heldKey(registrationId, name);
		if (held != null) {
			return held;
		}
		// A login's keys are stored under the user's name as it is, which may hold a '#'.
		Assert.isTrue(login || name.indexOf('#') < 0, () -> "The OAuth2AuthorizedClient of provider '" + registrationId
				+ "' is stored under the name of a request this instance does not hold: name its key with "
				+ "TokenKeyAttributes.tokenKey(...) instead");
		return TokenKey.forProvider(registrationId).principal(name).build();
	}

	/**
	 * Removes what named the registration, so that Spring Security's exchange filter further down the chain
	 * leaves the request alone instead of putting the authorized client's own token back on it.
	 */
	private static void hideSelection(Map<String, Object> attributes) {
		ProviderApis.hideSelection(attributes);
		attributes.remove(AUTHORIZED_CLIENT_ATTRIBUTE);
	}

}
