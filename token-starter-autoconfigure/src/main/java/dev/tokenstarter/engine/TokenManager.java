package dev.tokenstarter.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.util.Assert;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenGrantType;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.grant.ProviderGrants;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.grant.TokenGrants;
import dev.tokenstarter.lock.TokenLock;

/**
 * Hands out tokens by {@link TokenKey} and renews them. A fresh token comes from memory with no I/O and no lock; a
 * stale one is served while one background renewal runs; an expired or missing one is waited for. Renewals go
 * through the {@link RenewalCoordinator}: single-flight per key in the process, under the key's lock across the
 * fleet.
 *
 * <p>Its faces: {@link TokenSource} for callers and HTTP client filters, {@link StoredTokenListener} for the
 * shared store's change messages, {@link TokenOperations} for operators. Methods taking a registration id serve
 * that provider's application token, at no cost beyond one map read. Implements Spring Security's
 * {@link ReactiveOAuth2AuthorizedClientManager} too, so Spring's own
 * {@code ServerOAuth2AuthorizedClientExchangeFilterFunction} can use it.
 */
public class TokenManager
		implements TokenSource, StoredTokenListener, TokenOperations, ReactiveOAuth2AuthorizedClientManager {

	/** Last-use times are only needed to the second; writing them less often keeps the hot path cheap. */
	private static final long LAST_USE_RESOLUTION_MILLIS = 1000;

	/** How near a token's expiry may be to its subject token's to count as bounded by it (clock rounding). */
	private static final Duration SUBJECT_EXPIRY_TOLERANCE = Duration.ofSeconds(1);

	/**
	 * The error code of a renewal refused because this instance cannot coordinate with the fleet: a single-session
	 * provider's instance that has used its budget of authentications, or has no fleet DPoP key to sign with.
	 */
	public static final String COORDINATION_LOST = TokenErrors.COORDINATION_LOST;

	/** The grants whose tokens are asked for with a subject token. */
	private static final Set<AuthorizationGrantType> DELEGATED_GRANTS = Set.of(AuthorizationGrantType.TOKEN_EXCHANGE,
			AuthorizationGrantType.JWT_BEARER);

	private final ReactiveClientRegistrationRepository registrations;

	private final TokenLock lock;

	private final TokenGrants grants;

	private final TokenSettings settings;

	private final Clock clock;

	private final TokenObserver observer;

	private final KeyStates states;

	private final StalePoints stalePoints = new StalePoints();

	private final ProviderActivities activities = new ProviderActivities();

	private final RenewalCoordinator renewals;

	/** The registrations resolved so far, by id: resolving one may ask the repository (or a discovery). */
	private final Map<String, ClientRegistration> resolved = new ConcurrentHashMap<>();

	/** The providers of {@code token.providers}, known before any is resolved. */
	private final Set<String> configured;

	public TokenManager(ReactiveClientRegistrationRepository registrations, ReactiveOAuth2AuthorizedClientService store,
			TokenLock lock, TokenGrants grants, TokenSettings settings, Clock clock, TokenObserver observer) {
		Assert.notNull(registrations, "registrations must not be null");
		Assert.notNull(store, "store must not be null");
		Assert.notNull(lock, "lock must not be null");
		Assert.notNull(grants, "grants must not be null");
		Assert.notNull(settings, "settings must not be null");
		Assert.notNull(clock, "clock must not be null");
		Assert.notNull(observer, "observer must not be null");
		this.registrations = registrations;
		this.lock = lock;
		this.grants = grants;
		this.settings = settings;
		this.configured = settings.providers()
			.stream()
			.map(ProviderSettings::registrationId)
			.collect(Collectors.toUnmodifiableSet());
		this.clock = clock;
		this.observer = observer;
		this.states = new KeyStates(settings.keys().maxHeld(), settings.keys().idleTimeout(), clock);
		this.renewals = new RenewalCoordinator(store, lock, clock, observer, this.activities, this.stalePoints);
	}

	@Override
	public Mono<ManagedToken> token(String registrationId) {
		ManagedToken usable = usableToken(registrationId);
		return (usable != null) ? usable.asMono() : awaitToken(TokenKey.application(registrationId), null);
	}

	@Override
	public Mono<ManagedToken> token(TokenKey key) {
		ManagedToken usable = usableToken(key);
		return (usable != null) ? usable.asMono() : awaitToken(key, null);
	}

	/**
	 * Returns a usable token of a provider like {@link #token(String)}, waiting for a renewal up to
	 * {@code maxWait} instead of the provider's {@code refresh.max-caller-wait}: for callers that are not serving a
	 * request, such as start-up.
	 * @param registrationId the provider's name
	 * @param maxWait how long to wait for a renewal
	 * @return the token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	public Mono<ManagedToken> token(String registrationId, Duration maxWait) {
		ManagedToken usable = usableToken(registrationId);
		return (usable != null) ? usable.asMono() : awaitToken(TokenKey.application(registrationId), maxWait);
	}

	/**
	 * Returns a usable token of a key like {@link #token(TokenKey)}, without waiting out the cooldown of its last
	 * failed renewal: for a key whose credentials have just changed (a user who signed in again), so that the
	 * failure of the credentials it had says nothing of the next attempt.
	 * @param key the key
	 * @return the token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	public Mono<ManagedToken> tokenWithNewCredentials(TokenKey key) {
		return state(key).flatMap((state) -> {
			state.failed(null);
			ManagedToken usable = usable(key.registrationId(), key, state);
			return (usable != null) ? usable.asMono() : awaitRenewal(state, Renewal.EXPIRED, null);
		});
	}

	@Override
	public Mono<ManagedToken> awaitToken(String registrationId) {
		return awaitToken(TokenKey.application(registrationId), null);
	}

	@Override
	public Mono<ManagedToken> awaitToken(TokenKey key) {
		return awaitToken(key, null);
	}

	private Mono<ManagedToken> awaitToken(TokenKey key, @Nullable Duration maxWait) {
		return state(key).flatMap((state) -> awaitRenewal(state, Renewal.EXPIRED, maxWait));
	}

	@Override
	public @Nullable ManagedToken usableToken(String registrationId) {
		return usable(registrationId, null, this.states.application(registrationId));
	}

	@Override
	public @Nullable ManagedToken usableToken(TokenKey key) {
		return usable(key.registrationId(), key, this.states.find(key));
	}

	/**
	 * Returns the state's token when it can be served.
	 * @param used the key the caller asked with, which may be another than the state's own (two keys naming one
	 * token share its state): its entry is the one whose idle time starts again; null for an application key,
	 * which never idles out
	 */
	private @Nullable ManagedToken usable(String registrationId, @Nullable TokenKey used, @Nullable KeyState state) {
		ManagedToken current = (state != null) ? state.token() : null;
		if (current != null) {
			long now = this.clock.millis();
			boolean due = now - current.lastUsedMillis() >= LAST_USE_RESOLUTION_MILLIS;
			if (due) {
				current.markUsed(now);
			}
			// A key sharing its token with another is told of every use: the token's last use, moved by whichever
			// key came first in the second, is no sign of this key's.
			if (used != null && (due || state.isShared())) {
				this.states.touch(used);
			}
			if (current.isFreshAt(now)) {
				this.observer.lookup(registrationId, TokenObserver.Lookup.HIT);
				return current;
			}
			if (current.isUsableAt(now)) {
				this.observer.lookup(registrationId, TokenObserver.Lookup.STALE);
				renewInBackground(state, now);
				return current;
			}
		}
		// A name no provider has is no miss: counted, it would be a meter for each name an application passes.
		if (state != null || this.configured.contains(registrationId) || this.resolved.containsKey(registrationId)) {
			this.observer.lookup(registrationId, TokenObserver.Lookup.MISS);
		}
		return null;
	}

	@Override
	public Mono<ManagedToken> replaceRejected(String registrationId, ManagedToken rejected) {
		return replaceRejected(TokenKey.application(registrationId), rejected);
	}

	/**
	 * {@inheritDoc}
	 * <p>When a request retried with a renewed token was rejected too within the provider's
	 * {@code failure-cooldown}, or a token obtained to replace a rejected one is rejected within it, the API refuses
	 * even newly issued tokens: then only the store is read again, never the provider, and the result is empty
	 * unless it holds a newer token.
	 */
	@Override
	public Mono<ManagedToken> replaceRejected(TokenKey key, ManagedToken rejected) {
		return replaceRejected(key, rejected.tokenValue());
	}

	/**
	 * Replaces a key's token that was rejected, known by its value, like {@link #replaceRejected(TokenKey,
	 * ManagedToken)}: for a token that was handed out as an {@code OAuth2Token} (an actor token).
	 */
	Mono<ManagedToken> replaceRejected(TokenKey key, String rejected) {
		return state(key).flatMap((state) -> {
			long now = this.clock.millis();
			ManagedToken current = state.token();
			if (current != null && !current.hasValue(rejected) && current.isUsableAt(now)) {
				return current.asMono();
			}
			long cooldownMillis = state.settings().refresh().failureCooldown().toMillis();
			if (state.rejections().replacementRejected(rejected, now, cooldownMillis)) {
				state.rejections().renewedTokenRejected(now, cooldownMillis);
			}
			if (state.settings().singleSession() && this.renewals.coordinationLost(state)) {
				state.sessionBudget().rejected(now);
			}
			else if (state.inFlight().get() == null && !mayRenewRejected(state, now)) {
				return this.renewals.freshFromStore(state, rejected);
			}
			return awaitRenewal(state, Renewal.rejected(rejected), null)
				.doOnNext((replacement) -> state.rejections().replaced(replacement, this.clock.millis()));
		});
	}

	private boolean mayRenewRejected(KeyState state, long now) {
		if (state.rejections().mayRenew(now)) {
			return true;
		}
		if (state.rejections().firstRefusal()) {
			this.observer.freshTokenRejected(state.registrationId(),
					Instant.ofEpochMilli(state.rejections().refusingUntilMillis()));
		}
		return false;
	}

	@Override
	public void recordUnauthorizedRetry(String registrationId, boolean success) {
		recordUnauthorizedRetry(TokenKey.application(registrationId), success);
	}

	@Override
	public void recordUnauthorizedRetry(TokenKey key, boolean success) {
		KeyState state = this.states.find(key);
		if (state != null && success) {
			state.rejections().accepted();
		}
		else if (state != null) {
			state.rejections().renewedTokenRejected(this.clock.millis(),
					state.settings().refresh().failureCooldown().toMillis());
		}
		this.activities.of(key.registrationId()).unauthorizedRetry();
		this.observer.unauthorizedRetry(key.registrationId(), success);
	}

	/**
	 * Returns the application token of the request's registration. The request's principal does not choose the
	 * key: a client-credentials token is the application's whoever's request needs it. Attributes named by
	 * {@link TokenKeyAttributes} choose another key. A login registration's (authorization code) token is the
	 * signed-in user's; when only the user can renew it, the failure is Spring Security's
	 * {@code ClientAuthorizationRequiredException}, which sends the user to log in again.
	 */
	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizeRequest authorizeRequest) {
		String registrationId = authorizeRequest.getClientRegistrationId();
		TokenKey chosen = TokenKeyAttributes.find(registrationId, authorizeRequest.getAttributes());
		if (chosen != null) {
			return token(chosen).map(ManagedToken::authorizedClient);
		}
		// An unknown registration fails as the application key's would, with the engine's own error.
		return Mono.defer(() -> registration(registrationId))
			.map(Optional::of)
			.onErrorResume(IllegalArgumentException.class, (ex) -> Mono.just(Optional.empty()))
			.flatMap((registration) -> {
				if (registration.isEmpty() || !LoginKeys.isLogin(registration.get())) {
					return token(TokenKey.application(registrationId));
				}
				TokenKey user = LoginKeys.user(registrationId, authorizeRequest.getPrincipal());
				return (user != null) ? token(user).onErrorMap((ex) -> LoginKeys.forCaller(registrationId, ex))
						: Mono.error(new ClientAuthorizationRequiredException(registrationId));
			})
			.map(ManagedToken::authorizedClient);
	}

	/**
	 * Starts a background renewal of every token that is stale or expired and was used within its provider's
	 * idle timeout. Called by the {@link TokenRefreshScheduler}. Only the tokens whose stale point has come are
	 * looked at, so a pass costs nothing while every token is fresh, however many keys are held.
	 * @return how many tokens the pass looked at
	 */
	public int renewStaleTokens() {
		long now = this.clock.millis();
		int looked = 0;
		List<StalePoints.Point> notRenewed = new ArrayList<>();
		for (StalePoints.Point point = this.stalePoints.due(now); point != null; point = this.stalePoints.due(now)) {
			looked++;
			ManagedToken token = point.token();
			// An idle token is left to its next call, which renews it if it is stale by then.
			if (point.isCurrent()
					&& now - token.lastUsedMillis() < point.state().settings().refresh().idleTimeout().toMillis()) {
				renewInBackground(point.state(), now);
				notRenewed.add(point);
			}
		}
		// Until a renewal holds a new token (with a point of its own), the next pass looks again: a renewal may
		// not have started (cooldown, another instance renewing) or may fail.
		notRenewed.forEach((point) -> this.stalePoints.again(point, now));
		return looked;
	}

	/**
	 * Builds what every token request of a provider needs (its registration, resolved, and the client of its token
	 * endpoint), which would otherwise be built by the first call: at a cold start of the fleet, each instance's
	 * first call while the fleet waits for its first token. A provider with an application token gets that key's
	 * state too, so the token another instance saves reaches this one's near cache even before its first call,
	 * which is then served from memory.
	 * @param registrationId the provider's name
	 * @return completes when built; fails when the provider is unknown
	 */
	Mono<Void> prepare(String registrationId) {
		return registration(registrationId).flatMap((registration) -> hasApplicationToken(registration)
				? state(TokenKey.application(registrationId)).then()
				: Mono.fromRunnable(() -> this.grants.forRegistration(registration)));
	}

	/**
	 * A login's tokens are its users' and a token exchange's are its subjects': neither provider has a token of
	 * the application's own (see {@link #refuseUnsupported} and {@link #refuseWithoutSubject}).
	 */
	private static boolean hasApplicationToken(ClientRegistration registration) {
		return !LoginKeys.isLogin(registration)
				&& !AuthorizationGrantType.TOKEN_EXCHANGE.equals(registration.getAuthorizationGrantType());
	}

	/**
	 * Returns the application token held for a provider, without renewing anything.
	 * @param registrationId the provider's name
	 * @return the held token, or null
	 */
	public @Nullable ManagedToken cachedToken(String registrationId) {
		KeyState state = this.states.application(registrationId);
		return (state != null) ? state.token() : null;
	}

	/**
	 * Returns the key whose token is stored for a registration and principal name (the name an authorized client of
	 * the engine's carries), when this instance holds that key.
	 * @param registrationId the provider's name
	 * @param principalName the name the token is stored under
	 * @return the key, or null
	 */
	public @Nullable TokenKey heldKey(String registrationId, String principalName) {
		KeyState state = this.states.stored(registrationId, principalName);
		return (state != null) ? state.key() : null;
	}

	/**
	 * Returns the token held for a key, without renewing anything, and without counting as a use of the key.
	 * @param key the key
	 * @return the held token, or null
	 */
	public @Nullable ManagedToken cachedToken(TokenKey key) {
		KeyState state = this.states.find(key);
		return (state != null) ? state.token() : null;
	}

	@Override
	public void accept(OAuth2AuthorizedClient client) {
		KeyState state = this.states.stored(client.getClientRegistration().getRegistrationId(),
				client.getPrincipalName());
		if (state == null) {
			return;
		}
		ManagedToken accepted = state.policy().manage(client);
		if (!RenewalCoordinator.servable(state, accepted)) {
			return;
		}
		ManagedToken held = state.tokenHolder().updateAndGet((current) -> {
			if (current != null && !replaces(client, current)) {
				return current;
			}
			accepted.markUsed((current != null) ? current.lastUsedMillis() : 0);
			return accepted;
		});
		if (held == accepted) {
			this.stalePoints.add(state, accepted);
		}
	}

	@Override
	public void forget(String registrationId, String principalName) {
		KeyState state = this.states.stored(registrationId, principalName);
		if (state == null) {
			return;
		}
		state.dropEnded((held) -> true);
		// Counted after the token is dropped: see RenewalCoordinator#renew.
		state.removed();
	}

	@Override
	public Mono<ManagedToken> refresh(String registrationId) {
		return state(TokenKey.application(registrationId)).flatMap((state) -> {
			ManagedToken current = state.token();
			return awaitRenewal(state, Renewal.forced((current != null) ? current.tokenValue() : null), null);
		});
	}

	@Override
	public ProviderStatus status(String registrationId) {
		KeyState state = this.states.application(registrationId);
		ManagedToken token = (state != null) ? state.token() : null;
		ProviderActivity activity = this.activities.orEmpty(registrationId);
		ClientRegistration registration = this.resolved.get(registrationId);
		String grant = (registration != null) ? registration.getAuthorizationGrantType().getValue() : "unknown";
		return new ProviderStatus(registrationId, grant,
				(token != null) ? token.accessToken().getScopes() : Set.of(),
				(token != null) ? token.accessToken().getIssuedAt() : null,
				(token != null) ? token.accessToken().getExpiresAt() : null,
				(token != null) ? token.staleAt() : null, token != null && token.isUsableAt(this.clock.millis()),
				activity.lastError(), activity.lastErrorAt(), activity.obtainedCount(), activity.failureCount(),
				activity.unauthorizedRetryCount(), state != null && this.renewals.coordinationLost(state));
	}

	@Override
	public Set<String> activeProviders() {
		return Set.copyOf(this.resolved.keySet());
	}

	@Override
	public long heldKeys() {
		return this.states.applicationCount() + this.states.keyedCount();
	}

	/**
	 * Whether another instance's token should replace the held one: a different token that expires no earlier
	 * (change messages arrive in the order they were published, so an equal expiry is a newer token).
	 */
	private static boolean replaces(OAuth2AuthorizedClient client, ManagedToken current) {
		Instant incoming = client.getAccessToken().getExpiresAt();
		Instant held = current.accessToken().getExpiresAt();
		return incoming != null && (held == null || !incoming.isBefore(held))
				&& !current.hasValue(client.getAccessToken().getTokenValue());
	}

	private void renewInBackground(KeyState state, long now) {
		if (activeFailure(state, now) != null || state.inFlight().get() != null
				|| now < state.backgroundPausedUntil()) {
			return;
		}
		if (this.renewals.coordinationLost(state)) {
			// Renewing ahead would end the session the rest of the fleet may still be using, or spend a refresh
			// token another instance may be spending: the held token serves until it expires.
			return;
		}
		if (endsWithSubject(state)) {
			// The grant bounds each token by the subject token's expiry: a renewal would only get a token that
			// ends at the same time, ever sooner, each one a request to the provider.
			return;
		}
		this.renewals.flight(state, Renewal.AHEAD);
	}

	/**
	 * Whether the held token of a key already lasts until its subject token expires.
	 */
	private static boolean endsWithSubject(KeyState state) {
		OAuth2Token subject = state.key().subjectToken();
		ManagedToken current = state.token();
		Instant subjectExpiry = (subject != null) ? subject.getExpiresAt() : null;
		Instant tokenExpiry = (current != null) ? current.accessToken().getExpiresAt() : null;
		return subjectExpiry != null && tokenExpiry != null
				&& !tokenExpiry.isBefore(subjectExpiry.minus(SUBJECT_EXPIRY_TOLERANCE));
	}

	/**
	 * Waits for a renewal, up to {@code wait} or the provider's {@code refresh.max-caller-wait}.
	 */
	private Mono<ManagedToken> awaitRenewal(KeyState state, Renewal renewal, @Nullable Duration wait) {
		return Mono.defer(() -> {
			String registrationId = state.registrationId();
			KeyState.Failure failure = activeFailure(state, this.clock.millis());
			if (failure != null) {
				return Mono.error(forCaller(failure.error()));
			}
			long start = System.nanoTime();
			Duration maxWait = (wait != null) ? wait : state.settings().refresh().maxCallerWait();
			// The renewal itself goes on past a caller's bound (the future ignores the cancel), for later callers.
			return Mono.fromFuture(this.renewals.flight(state, renewal), true)
				.onErrorMap(TokenAcquisitionException.class, TokenManager::forCaller)
				.timeout(maxWait, Mono.error(() -> new TokenAcquisitionException(registrationId, "timeout",
						"timed out waiting for a token after " + maxWait + ((wait != null) ? ""
								: " (refresh.max-caller-wait)") + "; the token request goes on for later callers",
						true, null)))
				.doOnSuccess((token) -> this.observer.waited(registrationId, System.nanoTime() - start, true))
				.doOnError((ex) -> this.observer.waited(registrationId, System.nanoTime() - start, false));
		});
	}

	/**
	 * Returns a caller's own copy of a renewal's failure. One failure reaches every waiter of the renewal and every
	 * caller during its cooldown, and Reactor adds to the error each of them receives (a suppressed exception per
	 * {@code block()}, a checkpoint per WebClient request): one shared instance would keep all of those, one per
	 * call, for as long as the failure is kept.
	 */
	private static TokenAcquisitionException forCaller(TokenAcquisitionException failure) {
		return failure.copy();
	}

	/**
	 * Returns the last failed renewal while its cooldown lasts, or null.
	 */
	private KeyState.@Nullable Failure activeFailure(KeyState state, long now) {
		KeyState.Failure failure = state.failure();
		if (failure == null || now >= failure.untilMillis()) {
			return null;
		}
		// A refusal for lost coordination ends with the coordination, not with the cooldown: once the store
		// answers again, the fleet's token is a read away.
		boolean coordinationBack = COORDINATION_LOST.equals(failure.error().getErrorCode()) && !this.lock.isDegraded();
		return coordinationBack ? null : failure;
	}

	/**
	 * Returns the state of a key, creating it on first use.
	 */
	private Mono<KeyState> state(TokenKey key) {
		KeyState known = this.states.find(key);
		if (known != null) {
			return Mono.just(known);
		}
		// Whatever fails here (an unknown provider, a repository that throws, a key the provider cannot serve)
		// reaches the caller as the token failure it is, like one of the renewal itself.
		return Mono.defer(() -> registration(key.registrationId()))
			.zipWhen((registration) -> actorRegistration(key, registration))
			.map((found) -> this.states.obtain(key,
					(k) -> describe(k, found.getT1(), found.getT2().orElse(null))))
			.onErrorMap((ex) -> tokenFailure(key.registrationId(), ex));
	}

	/**
	 * A failure to resolve a provider or a key, as the token failure callers expect: an unknown provider or a key
	 * it cannot serve is the caller's invalid request.
	 */
	private static TokenAcquisitionException tokenFailure(String registrationId, Throwable failure) {
		return (failure instanceof IllegalArgumentException)
				? new TokenAcquisitionException(registrationId, "invalid_request", failure.getMessage(), false, failure)
				: TokenAcquisitionException.of(registrationId, failure);
	}

	private Mono<ClientRegistration> registration(String registrationId) {
		ClientRegistration known = this.resolved.get(registrationId);
		if (known != null) {
			return Mono.just(known);
		}
		return this.registrations.findByRegistrationId(registrationId)
			.switchIfEmpty(Mono.error(() -> new IllegalArgumentException(
					"No client registration named '" + registrationId + "' (token.providers." + registrationId
							+ " or spring.security.oauth2.client.registration." + registrationId + ")")))
			.map((registration) -> this.resolved.computeIfAbsent(registrationId, (id) -> registration));
	}

	/**
	 * Returns the registration of the actor of a key's token exchange, when it has one: the key's own actor, or
	 * for a key with a subject token the provider's configured {@code actor.provider}.
	 */
	private Mono<Optional<ClientRegistration>> actorRegistration(TokenKey key, ClientRegistration registration) {
		String actor = (key.actor() != null) ? key.actor()
				: key.hasSubjectToken() ? this.settings.actor(key.registrationId()) : null;
		if (actor == null) {
			return Mono.just(Optional.empty());
		}
		if (!AuthorizationGrantType.TOKEN_EXCHANGE.equals(registration.getAuthorizationGrantType())) {
			return Mono.error(new IllegalArgumentException("Provider '" + key.registrationId() + "' uses grant "
					+ registration.getAuthorizationGrantType().getValue() + ": only a token exchange has an actor"));
		}
		if (actor.equals(key.registrationId())) {
			return Mono.error(new IllegalArgumentException("Provider '" + key.registrationId() + "' cannot be the "
					+ "actor of its own token exchanges, whose tokens need a subject: name a provider with an "
					+ "application token of its own"));
		}
		return registration(actor).map(Optional::of);
	}

	/**
	 * Describes how a key's tokens are requested and stored: the key's scopes replace the registration's, its
	 * parameters are added to the provider's, and the name it is stored under says both, and the actor of a token
	 * exchange that has one.
	 */
	private KeyState describe(TokenKey key, ClientRegistration registration,
			@Nullable ClientRegistration actorRegistration) {
		ProviderSettings provider = this.settings.provider(key.registrationId());
		refuseUnsupported(key, registration, provider);
		refuseWithoutSubject(key, registration);
		ClientRegistration requested = key.scopes().isEmpty() ? registration
				: ClientRegistration.withClientRegistration(registration).scope(key.scopes()).build();
		ProviderSettings requestSettings = provider.withParameters(key.parameters());
		String principal = key.principal();
		String subjectHash = key.subjectHash();
		ProviderGrants grants = this.grants.forParameters(registration, key.parameters());
		String actor = null;
		if (actorRegistration != null) {
			String actorId = actorRegistration.getRegistrationId();
			// Who acts, as the name the actor's own token is stored under says it: its endpoint, client and request.
			KeyPrincipal actorPrincipal = KeyPrincipal.application(actorRegistration,
					this.settings.provider(actorId).parameters(), this.settings.username(actorId));
			actor = actorId + " " + actorPrincipal.getName();
			grants = grants.withActor(new ActorTokenSource(this, key.registrationId(), actorId));
		}
		KeyPrincipal keyPrincipal = (principal != null)
				? (LoginKeys.isLogin(requested) ? KeyPrincipal.login(key) : KeyPrincipal.named(key))
				: (subjectHash != null) ? KeyPrincipal.subject(subjectHash, key.scopes(), key.parameters(), actor)
						: KeyPrincipal.application(requested, requestSettings.parameters(),
								this.settings.username(key.registrationId()));
		return new KeyState(key, requested, keyPrincipal, requestSettings,
				new RefreshPolicy(provider.refresh(), this.clock, key.isApplication()), grants);
	}

	/**
	 * Refuses keys whose tokens this engine would get wrong: a second token of a single-session client ends the
	 * first one's session. A password grant's session is the user's, so a user's own key (a principal with the
	 * configured request) is a session of its own even there; its credentials are the user's, never the
	 * configured user's (see {@code PasswordCredentialsResolver}). A login's tokens are the user's as the login got
	 * them: no application token, no other scopes or parameters.
	 */
	private static void refuseUnsupported(TokenKey key, ClientRegistration registration, ProviderSettings provider) {
		if (LoginKeys.isLogin(registration)
				&& (key.principal() == null || !key.scopes().isEmpty() || !key.parameters().isEmpty())) {
			throw new IllegalArgumentException("Registration '" + key.registrationId()
					+ "' signs users in (authorization code): its tokens are users' as their login got them, asked "
					+ "for by the signed-in user's key, without scopes or parameters of its own");
		}
		if (key.isApplication()) {
			return;
		}
		boolean password = TokenGrantType.PASSWORD.toAuthorizationGrantType()
			.equals(registration.getAuthorizationGrantType());
		boolean userSession = password && key.principal() != null && key.scopes().isEmpty()
				&& key.parameters().isEmpty();
		if (provider.singleSession() && !userSession) {
			throw new IllegalArgumentException("Provider '" + key.registrationId()
					+ "' keeps a single session per client (sessions: single): it serves its application token "
					+ "and, with the password grant, each user's own token only, since a token for other scopes, "
					+ "parameters or a principal would end one of those sessions");
		}
		if (key.hasSubjectToken() && !DELEGATED_GRANTS.contains(registration.getAuthorizationGrantType())) {
			throw new IllegalArgumentException("Provider '" + key.registrationId() + "' uses grant "
					+ registration.getAuthorizationGrantType().getValue() + ", which takes no subject token: a key "
					+ "with one is for a provider with grant-type token-exchange or jwt-bearer");
		}
	}

	/**
	 * A token exchange acts for the subject of a token: without one, there is nobody to act for.
	 */
	private static void refuseWithoutSubject(TokenKey key, ClientRegistration registration) {
		if (!key.hasSubjectToken()
				&& AuthorizationGrantType.TOKEN_EXCHANGE.equals(registration.getAuthorizationGrantType())) {
			throw new IllegalArgumentException("Provider '" + key.registrationId() + "' uses token exchange, "
					+ "which needs a subject token: ask with TokenKey.forProvider(\"" + key.registrationId()
					+ "\").subjectToken(...) or SubjectTokenKeys, or call from a request that carries a user's token");
		}
	}

	/**
	 * Revokes the provider's application token: forgets it in the store and in memory, marks it so that no read
	 * racing with this one brings it back, then revokes it at the provider when it has a revocation endpoint,
	 * whatever the provider answers. Runs under the renewal lock, so a renewal holding it finishes first and the
	 * token it stored is the one revoked, unless it holds the lock longer than {@code lock-wait}: the revocation
	 * then goes on without it, as a sign-out or an operator must not wait out the lease of a holder that crashed.
	 * The next call obtains a new token. A provider whose tokens are all users' or subjects' (a login, a token
	 * exchange) has no application token: there is nothing to revoke.
	 * @param registrationId the provider's name
	 * @return completes once the token is forgotten
	 */
	@Override
	public Mono<Void> revoke(String registrationId) {
		return registration(registrationId).onErrorMap((ex) -> tokenFailure(registrationId, ex))
			.flatMap((registration) -> hasApplicationToken(registration)
					? revoke(TokenKey.application(registrationId)) : Mono.empty());
	}

	/**
	 * Revokes a key's token like {@link #revoke(String)}.
	 * @param key the key
	 * @return completes once the token is forgotten
	 */
	public Mono<Void> revoke(TokenKey key) {
		return state(key).flatMap((state) -> this.lock.withLock(state.lockKey(),
				// A read that fails is no reason to keep the session: what this instance holds is revoked, and the
				// removal goes on (kept for later when the store does not answer).
				() -> this.renewals.loadStored(state).onErrorReturn(Optional.empty()).flatMap((stored) -> {
					ManagedToken cached = state.token();
					OAuth2AuthorizedClient held = stored.orElse((cached != null) ? cached.authorizedClient() : null);
					state.tokenHolder().set(null);
					state.removed();
					if (held == null) {
						// Nothing read here is no proof that nothing is stored: the store may not answer, and then
						// it keeps the removal for when it does, or the session ended here is served on elsewhere.
						return this.renewals.removeStored(state);
					}
					state.revoked().set(held.getAccessToken().getTokenValue());
					return this.renewals.removeStored(state).then(state.grants().revoke(held)).then();
				})));
	}

}
