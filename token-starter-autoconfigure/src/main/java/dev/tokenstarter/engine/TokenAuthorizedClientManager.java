package dev.tokenstarter.engine;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.util.Assert;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenGrantType;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Spring Security's blocking {@link OAuth2AuthorizedClientManager} served by the engine, for
 * {@code @RegisteredOAuth2AuthorizedClient}, Spring's {@code OAuth2ClientHttpRequestInterceptor} and servlet
 * code: the same store, lock and single-flight as the reactive face, so a {@code RestClient} of Spring's and the
 * starter's own clients share one token.
 *
 * <p>It serves every registration the engine can: those of {@code token.providers}, and the other registrations
 * of the application that use the client credentials, password, authorization code, token exchange or JWT bearer
 * grant. It replaces Spring Security's default manager, which steps aside when the application has one; the
 * requests for any other registration, an anonymous user's authorization code clients (which Spring keeps in the
 * HTTP session) and token exchange or JWT bearer requests whose principal carries no token to act for go to the
 * delegate, a manager built the way Spring Security builds its default, so those work as without the starter.
 *
 * <p>A token exchange or JWT bearer registration's token acts for the subject of the request's authentication
 * token (a resource server's {@code JwtAuthenticationToken} or {@code BearerTokenAuthentication}), as with
 * Spring Security's own providers, but is keyed by that subject token: one exchange per subject for the fleet,
 * shared by every caller and instance until it expires.
 *
 * <p>An authorization code registration's token is the signed-in user's login session, renewed with its refresh
 * token only; when only the user can bring it back (none left, or refused), the request fails with Spring's
 * {@link ClientAuthorizationRequiredException}, on which Spring's filter sends the user to log in again.
 *
 * <p>A served registration is given the token of the key chosen by the request's attributes
 * ({@link TokenKeyAttributes}), otherwise the application token: the request's principal does not choose the
 * token, since a client-credentials token belongs to the application whoever's web request needed it (Spring
 * passes an anonymous principal when nobody is signed in). A request to re-authorize a client gets the token the
 * engine holds for it, renewed first if it has expired. A caller waits for a renewal at most the provider's
 * {@code refresh.max-caller-wait}; any failure reaches it as the {@link TokenAcquisitionException} (an
 * {@code OAuth2AuthorizationException}) Spring's callers expect.
 *
 * <p>The API's rejections reach the engine through the {@link TokenAuthorizationFailureHandler} of this manager.
 */
public final class TokenAuthorizedClientManager implements OAuth2AuthorizedClientManager {

	private static final Log logger = LogFactory.getLog(TokenAuthorizedClientManager.class);

	private static final Set<AuthorizationGrantType> ENGINE_GRANTS = Set.of(AuthorizationGrantType.CLIENT_CREDENTIALS,
			TokenGrantType.PASSWORD.toAuthorizationGrantType(), AuthorizationGrantType.AUTHORIZATION_CODE,
			AuthorizationGrantType.TOKEN_EXCHANGE, AuthorizationGrantType.JWT_BEARER);

	private static final Set<AuthorizationGrantType> DELEGATED_GRANTS = Set.of(AuthorizationGrantType.TOKEN_EXCHANGE,
			AuthorizationGrantType.JWT_BEARER);

	private final TokenSource tokens;

	private final TokenClientRegistrationRepository registrations;

	private final OAuth2AuthorizedClientManager delegate;

	/** How the engine serves a registration, by id: found once, from the registration's grant. */
	private final Map<String, Served> served = new ConcurrentHashMap<>();

	/**
	 * The token last handed to each thread. Spring reports a rejection by provider only, not by token; its
	 * interceptor authorizes, sends and reports on the caller's thread, so the token handed to that thread is the
	 * one the API rejected, even when other callers have renewed the provider's token meanwhile.
	 */
	private final ThreadLocal<Handed> handed = ThreadLocal.withInitial(Handed::new);

	/**
	 * Creates the manager.
	 * @param tokens the engine
	 * @param registrations the engine's registrations, which also reads the application's other repositories
	 * @param delegate the manager of the registrations the engine does not serve
	 */
	public TokenAuthorizedClientManager(TokenSource tokens, TokenClientRegistrationRepository registrations,
			OAuth2AuthorizedClientManager delegate) {
		Assert.notNull(tokens, "tokens cannot be null");
		Assert.notNull(registrations, "registrations cannot be null");
		Assert.notNull(delegate, "delegate cannot be null");
		this.tokens = tokens;
		this.registrations = registrations;
		this.delegate = delegate;
	}

	@Override
	public @Nullable OAuth2AuthorizedClient authorize(OAuth2AuthorizeRequest authorizeRequest) {
		Assert.notNull(authorizeRequest, "authorizeRequest cannot be null");
		String registrationId = authorizeRequest.getClientRegistrationId();
		Served served = served(registrationId);
		if (served == Served.NOT) {
			return this.delegate.authorize(authorizeRequest);
		}
		TokenKey key = TokenKeyAttributes.find(registrationId, authorizeRequest.getAttributes());
		if (key == null) {
			key = served.key(registrationId, authorizeRequest.getPrincipal());
			if (key == null) {
				return this.delegate.authorize(authorizeRequest);
			}
		}
		ManagedToken token = this.tokens.usableToken(key);
		if (token == null) {
			token = await(key, served);
		}
		this.handed.get().set(key, token);
		return token.authorizedClient();
	}

	private ManagedToken await(TokenKey key, Served served) {
		ManagedToken token;
		try {
			// Bounded by the engine: it fails the wait after the provider's refresh.max-caller-wait.
			token = this.tokens.awaitToken(key).block();
		}
		catch (RuntimeException ex) {
			if (served == Served.LOGIN && LoginKeys.forCaller(key.registrationId(), ex) instanceof
					ClientAuthorizationRequiredException required) {
				throw required;
			}
			throw ex;
		}
		if (token == null) {
			throw new TokenAcquisitionException(key.registrationId(), "no_token",
					"the token request ended without a token", false, null);
		}
		return token;
	}

	/**
	 * Whether the engine serves a registration's tokens: those of {@code token.providers}, and those of other
	 * registrations with a grant the engine has. Unknown registrations are not remembered, so that one added to an
	 * application's repository later is still found.
	 * @param registrationId the registration's id
	 * @return whether the engine serves it
	 */
	boolean serves(String registrationId) {
		return served(registrationId) != Served.NOT;
	}

	private Served served(String registrationId) {
		Served known = this.served.get(registrationId);
		if (known != null) {
			return known;
		}
		if (this.registrations.isConfigured(registrationId)) {
			this.served.put(registrationId, Served.APPLICATION);
			return Served.APPLICATION;
		}
		ClientRegistration registration = this.registrations.findByRegistrationId(registrationId).block();
		if (registration == null) {
			return Served.NOT;
		}
		AuthorizationGrantType grant = registration.getAuthorizationGrantType();
		Served served = !ENGINE_GRANTS.contains(grant) ? Served.NOT
				: DELEGATED_GRANTS.contains(grant) ? Served.SUBJECT
						: LoginKeys.isLogin(registration) ? Served.LOGIN : Served.APPLICATION;
		this.served.put(registrationId, served);
		return served;
	}

	/**
	 * How the engine serves a registration.
	 */
	private enum Served {

		/** Not at all: the delegate does. */
		NOT {

			@Override
			@Nullable TokenKey key(String registrationId, @Nullable Authentication principal) {
				return null;
			}

		},

		/** With the application token unless the request's attributes choose another key. */
		APPLICATION {

			@Override
			TokenKey key(String registrationId, @Nullable Authentication principal) {
				return TokenKey.application(registrationId);
			}

		},

		/** With the signed-in user's login session; an anonymous user's goes to the delegate. */
		LOGIN {

			@Override
			@Nullable TokenKey key(String registrationId, @Nullable Authentication principal) {
				return LoginKeys.user(registrationId, principal);
			}

		},

		/**
		 * With a token exchanged for (or granted on) the token of the request's authentication, as Spring
		 * Security's own token exchange and JWT bearer providers take it; a principal without one goes to the
		 * delegate, which has nothing to act for either.
		 */
		SUBJECT {

			@Override
			@Nullable TokenKey key(String registrationId, @Nullable Authentication principal) {
				return TokenKey.forSubjectOf(registrationId, principal);
			}

		};

		/**
		 * Returns the key a request without one in its attributes gets, or null when the delegate serves it.
		 */
		abstract @Nullable TokenKey key(String registrationId, @Nullable Authentication principal);

	}

	/**
	 * Tells the engine that the API rejected the token of a registration it serves: the token handed to this
	 * thread for that registration, or, when this thread was handed none (the rejection is reported away from the
	 * call, as a reactive filter may), the token held now for the principal's login session, or the application
	 * token. The rejected token is no longer served and
	 * its renewal starts at once, so the next call gets a new token; a token that was already replaced is left
	 * alone. The call that was rejected does not wait for the renewal. When the renewed token is rejected too
	 * within the provider's {@code failure-cooldown}, the engine stops renewing for the cooldown: an API that
	 * refuses even new tokens would otherwise cost a token request per call.
	 * @param registrationId the registration's id
	 * @param principal whose call was rejected
	 */
	void rejected(String registrationId, @Nullable Authentication principal) {
		Handed last = this.handed.get();
		TokenKey key = last.key;
		ManagedToken token = last.token;
		last.set(null, null);
		if (key == null || token == null || !key.registrationId().equals(registrationId)) {
			key = served(registrationId).key(registrationId, principal);
			token = (key != null) ? this.tokens.usableToken(key) : null;
			if (token == null) {
				return;
			}
		}
		String provider = registrationId;
		// Whatever the renewal ends with is the engine's to keep: it holds the new token, or records the failure,
		// logs it and serves it to the next callers during the failure cooldown.
		this.tokens.replaceRejected(key, token)
			.subscribe(null, (ex) -> logger.debug("The renewal of a token of provider '" + provider
					+ "' after the API rejected it did not complete for the caller: " + ex.getMessage()));
	}

	/**
	 * The key and token handed to a thread last.
	 */
	private static final class Handed {

		private @Nullable TokenKey key;

		private @Nullable ManagedToken token;

		void set(@Nullable TokenKey key, @Nullable ManagedToken token) {
			this.key = key;
			this.token = token;
		}

	}

}
