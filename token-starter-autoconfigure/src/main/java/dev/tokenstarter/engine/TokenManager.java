package dev.tokenstarter.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.grant.ProviderGrants;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenEndpointException;
import dev.tokenstarter.grant.TokenGrants;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.store.StaleAuthorizedClientException;

/**
 * Hands out each provider's current token and renews it. A fresh token comes from the near cache with no I/O
 * and no lock; a stale one is served while one background renewal runs; an expired or missing one is waited
 * for. Renewals are single-flight per provider in the process, and run under the {@link TokenLock} after
 * re-reading the shared store, so another holder's fresh token is used instead of asking the provider again.
 *
 * <p>Implements Spring Security's {@link ReactiveOAuth2AuthorizedClientManager}, so Spring's own
 * {@code ServerOAuth2AuthorizedClientExchangeFilterFunction} can use it too.
 */
public class TokenManager implements ReactiveOAuth2AuthorizedClientManager {

	/** Last-use times are only needed to the second; writing them less often keeps the hot path cheap. */
	private static final long LAST_USE_RESOLUTION_MILLIS = 1000;

	/**
	 * How long background renewals pause after finding another instance renewing: its token normally arrives by
	 * change message well within this, and stale callers would otherwise ask Redis for the lock on every call.
	 */
	private static final long BUSY_PAUSE_MILLIS = 500;

	/**
	 * The error code of a renewal refused because a single-session provider's instance cannot coordinate with the
	 * fleet and has used its budget of authentications.
	 */
	public static final String COORDINATION_LOST = "coordination_lost";

	private final ReactiveClientRegistrationRepository registrations;

	private final ReactiveOAuth2AuthorizedClientService store;

	private final TokenLock lock;

	private final TokenGrants grants;

	private final TokenSettings settings;

	private final Clock clock;

	private final Map<String, ManagedToken> nearCache = new ConcurrentHashMap<>();

	private final Map<String, CompletableFuture<ManagedToken>> inFlight = new ConcurrentHashMap<>();

	private final Map<String, Failure> failures = new ConcurrentHashMap<>();

	private final Map<String, Long> backgroundPausedUntil = new ConcurrentHashMap<>();

	private final Map<String, Provider> providers = new ConcurrentHashMap<>();

	private final Map<String, ProviderActivity> activities = new ConcurrentHashMap<>();

	private final TokenObserver observer;

	public TokenManager(ReactiveClientRegistrationRepository registrations, ReactiveOAuth2AuthorizedClientService store,
			TokenLock lock, TokenGrants grants, TokenSettings settings, Clock clock, TokenObserver observer) {
		this.registrations = registrations;
		this.store = store;
		this.lock = lock;
		this.grants = grants;
		this.settings = settings;
		this.clock = clock;
		this.observer = observer;
	}

	/**
	 * Returns a usable token of a provider, renewing it first only when it has expired or is missing.
	 * @param registrationId the provider's name
	 * @return the token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	public Mono<ManagedToken> token(String registrationId) {
		ManagedToken usable = usableToken(registrationId);
		return (usable != null) ? usable.asMono() : awaitRenewal(registrationId, null, false);
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
		return (usable != null) ? usable.asMono() : awaitRenewal(registrationId, null, false, maxWait);
	}

	/**
	 * Waits for a renewal of a provider's token: for a caller to whom {@link #usableToken(String)} just answered
	 * null.
	 * @param registrationId the provider's name
	 * @return the renewed token; fails with {@link TokenAcquisitionException} when none can be had
	 */
	public Mono<ManagedToken> awaitToken(String registrationId) {
		return awaitRenewal(registrationId, null, false);
	}

	/**
	 * Returns a provider's token at once when one can be served (a stale one after starting its background
	 * renewal), without I/O, lock or Reactor; null when the caller must wait for {@link #token(String)}.
	 * @param registrationId the provider's name
	 * @return the token to use now, or null
	 */
	public @Nullable ManagedToken usableToken(String registrationId) {
		ManagedToken current = this.nearCache.get(registrationId);
		if (current != null) {
			long now = this.clock.millis();
			if (now - current.lastUsedMillis() >= LAST_USE_RESOLUTION_MILLIS) {
				current.markUsed(now);
			}
			if (current.isFreshAt(now)) {
				this.observer.lookup(registrationId, TokenObserver.Lookup.HIT);
				return current;
			}
			if (current.isUsableAt(now)) {
				this.observer.lookup(registrationId, TokenObserver.Lookup.STALE);
				renewInBackground(registrationId, now);
				return current;
			}
		}
		this.observer.lookup(registrationId, TokenObserver.Lookup.MISS);
		return null;
	}

	/**
	 * Replaces a token the API just rejected: with a newer one if another caller already renewed it, otherwise
	 * with a new one, obtained without ever serving the rejected token again. When a request retried with a
	 * renewed token was rejected too within the provider's {@code failure-cooldown}, the API refuses even newly
	 * issued tokens: then only the store is read again, never the provider, and the result is empty unless it
	 * holds a newer token.
	 * @param registrationId the provider's name
	 * @param rejected the token the API rejected
	 * @return a different token, or empty when the rejection is to be returned to the caller as it is
	 */
	public Mono<ManagedToken> replaceRejected(String registrationId, ManagedToken rejected) {
		return Mono.defer(() -> {
			long now = this.clock.millis();
			ManagedToken current = this.nearCache.get(registrationId);
			if (current != null && !current.hasValue(rejected.tokenValue()) && current.isUsableAt(now)) {
				return current.asMono();
			}
			Provider provider = this.providers.get(registrationId);
			if (provider != null && coordinationLost(provider)) {
				provider.sessionBudget().rejected(now);
			}
			else if (provider != null && !this.inFlight.containsKey(registrationId) && !mayRenewRejected(provider, now)) {
				return freshFromStore(provider, rejected.tokenValue());
			}
			return awaitRenewal(registrationId, rejected.tokenValue(), true);
		});
	}

	private boolean mayRenewRejected(Provider provider, long now) {
		if (provider.rejections().mayRenew(now)) {
			return true;
		}
		if (provider.rejections().firstRefusal()) {
			this.observer.freshTokenRejected(provider.registrationId(),
					Instant.ofEpochMilli(provider.rejections().refusingUntilMillis()));
		}
		return false;
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizeRequest authorizeRequest) {
		return token(authorizeRequest.getClientRegistrationId()).map(ManagedToken::authorizedClient);
	}

	/**
	 * Starts a background renewal of every token that is stale or expired and was used within its provider's
	 * idle timeout. Called by the {@link TokenRefreshScheduler}.
	 */
	public void renewStaleTokens() {
		long now = this.clock.millis();
		this.nearCache.forEach((registrationId, token) -> {
			Provider provider = this.providers.get(registrationId);
			boolean active = provider != null
					&& now - token.lastUsedMillis() < provider.settings().refresh().idleTimeout().toMillis();
			if (active && !token.isFreshAt(now)) {
				renewInBackground(registrationId, now);
			}
		});
	}

	/**
	 * Returns the token the near cache holds for a provider, without renewing anything.
	 * @param registrationId the provider's name
	 * @return the cached token, or null
	 */
	public @Nullable ManagedToken cachedToken(String registrationId) {
		return this.nearCache.get(registrationId);
	}

	/**
	 * Takes a token another instance obtained, so this instance serves it without reading the store. Ignored
	 * unless it is for the application principal of a provider in use here, expires no earlier than the held
	 * one, can be sent and was not revoked here.
	 * @param client the other instance's authorized client
	 */
	public void accept(OAuth2AuthorizedClient client) {
		String registrationId = client.getClientRegistration().getRegistrationId();
		Provider provider = this.providers.get(registrationId);
		if (provider == null || !provider.principal().getName().equals(client.getPrincipalName())) {
			return;
		}
		ManagedToken accepted = provider.policy().manage(client);
		if (!servable(provider, accepted)) {
			return;
		}
		this.nearCache.compute(registrationId, (id, current) -> {
			if (current != null && !replaces(client, current)) {
				return current;
			}
			accepted.markUsed((current != null) ? current.lastUsedMillis() : 0);
			return accepted;
		});
	}

	/**
	 * Drops the token held for a provider because another instance removed it from the store; the next call
	 * reads the store again.
	 * @param registrationId the provider's name
	 * @param principalName whose token was removed
	 */
	public void forget(String registrationId, String principalName) {
		Provider provider = this.providers.get(registrationId);
		if (provider != null && provider.principal().getName().equals(principalName)) {
			this.nearCache.remove(registrationId);
		}
	}

	/**
	 * Obtains a new token for a provider now, whatever the held one's state (an operator's request); the held
	 * token is never returned.
	 * @param registrationId the provider's name
	 * @return the new token
	 */
	public Mono<ManagedToken> refresh(String registrationId) {
		return Mono.defer(() -> {
			ManagedToken current = this.nearCache.get(registrationId);
			return awaitRenewal(registrationId, (current != null) ? current.tokenValue() : null, false);
		});
	}

	/**
	 * Records that the API rejected a token and the request was sent again with a renewed one.
	 * @param registrationId the provider's name
	 * @param success whether the retried request was accepted
	 */
	public void recordUnauthorizedRetry(String registrationId, boolean success) {
		Provider provider = this.providers.get(registrationId);
		if (provider != null && success) {
			provider.rejections().accepted();
		}
		else if (provider != null) {
			provider.rejections().renewedTokenRejected(this.clock.millis(),
					provider.settings().refresh().failureCooldown().toMillis());
		}
		activity(registrationId).unauthorizedRetry();
		this.observer.unauthorizedRetry(registrationId, success);
	}

	/**
	 * Returns what is known of a provider without contacting it.
	 * @param registrationId the provider's name
	 * @return its status
	 */
	public ProviderStatus status(String registrationId) {
		Provider provider = this.providers.get(registrationId);
		ManagedToken token = this.nearCache.get(registrationId);
		ProviderActivity activity = this.activities.getOrDefault(registrationId, new ProviderActivity());
		String grant = (provider != null) ? provider.registration().getAuthorizationGrantType().getValue() : "unknown";
		return new ProviderStatus(registrationId, grant,
				(token != null) ? token.accessToken().getScopes() : Set.of(),
				(token != null) ? token.accessToken().getIssuedAt() : null,
				(token != null) ? token.accessToken().getExpiresAt() : null,
				(token != null) ? token.staleAt() : null, token != null && token.isUsableAt(this.clock.millis()),
				activity.lastError(), activity.lastErrorAt(), activity.obtainedCount(), activity.failureCount(),
				activity.unauthorizedRetryCount(), provider != null && coordinationLost(provider));
	}

	/**
	 * Returns the names of the providers this engine has served so far.
	 */
	public Set<String> activeProviders() {
		return Set.copyOf(this.providers.keySet());
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

	private void renewInBackground(String registrationId, long now) {
		if (activeFailure(registrationId, now) != null || this.inFlight.containsKey(registrationId)
				|| now < this.backgroundPausedUntil.getOrDefault(registrationId, 0L)) {
			return;
		}
		Provider provider = this.providers.get(registrationId);
		if (provider != null && coordinationLost(provider)) {
			// Renewing ahead would end the session the rest of the fleet may still be using: the held token
			// serves until it expires.
			return;
		}
		flight(registrationId, null, false);
	}

	/**
	 * Waits for a renewal.
	 * @param rejected a token value the renewal must not hand back, or null
	 * @param discard whether that token is bad (the API rejected it) and is dropped at once, rather than kept
	 * until its replacement arrives (an operator's forced refresh)
	 */
	private Mono<ManagedToken> awaitRenewal(String registrationId, @Nullable String rejected, boolean discard) {
		return awaitRenewal(registrationId, rejected, discard, null);
	}

	private Mono<ManagedToken> awaitRenewal(String registrationId, @Nullable String rejected, boolean discard,
			@Nullable Duration wait) {
		return Mono.defer(() -> {
			Failure failure = activeFailure(registrationId, this.clock.millis());
			if (failure != null) {
				return Mono.error(forCaller(failure.error()));
			}
			long start = System.nanoTime();
			Duration maxWait = (wait != null) ? wait : this.settings.provider(registrationId).refresh().maxCallerWait();
			// The renewal itself goes on past a caller's bound (the future ignores the cancel), for later callers.
			return Mono.fromFuture(flight(registrationId, rejected, discard), true)
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
		return new TokenAcquisitionException(failure.getProvider(), failure.getErrorCode(),
				failure.getError().getDescription(), failure.isTransientFailure(), failure.getCause());
	}

	/**
	 * Returns the last failed renewal while its cooldown lasts, or null.
	 */
	private @Nullable Failure activeFailure(String registrationId, long now) {
		Failure failure = this.failures.get(registrationId);
		if (failure == null || now >= failure.untilMillis()) {
			return null;
		}
		// A refusal for lost coordination ends with the coordination, not with the cooldown: once the store
		// answers again, the fleet's token is a read away.
		boolean coordinationBack = COORDINATION_LOST.equals(failure.error().getErrorCode()) && !this.lock.isDegraded();
		return coordinationBack ? null : failure;
	}

	/**
	 * Joins the renewal in flight for the provider or starts one. The renewal runs to its end even when every
	 * waiter has gone, so a token that was requested is never thrown away.
	 */
	private CompletableFuture<ManagedToken> flight(String registrationId, @Nullable String rejected,
			boolean discard) {
		CompletableFuture<ManagedToken> mine = new CompletableFuture<>();
		CompletableFuture<ManagedToken> existing = this.inFlight.putIfAbsent(registrationId, mine);
		if (existing != null) {
			// The joined renewal may have started for another reason (ahead of expiry, say) and end with the very
			// token this caller must not get back: then a renewal of its own follows.
			return (rejected != null) ? existing.thenCompose((token) -> token.hasValue(rejected)
					? flight(registrationId, rejected, discard) : CompletableFuture.completedFuture(token)) : existing;
		}
		// Leave the in-flight map before completing: a caller woken by the completion must start a new renewal,
		// not join this finished one. Callers arriving in between find the new token in the near cache, or the
		// failure's cooldown. Whatever the renewal does (fail before it starts, end without a token), the flight
		// completes, or every later caller of the provider would wait for it forever.
		Mono.defer(() -> renew(registrationId, rejected, discard))
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("the renewal ended without a token")))
			.subscribe((token) -> {
				this.inFlight.remove(registrationId, mine);
				mine.complete(token);
			}, (ex) -> {
				TokenAcquisitionException failure = TokenAcquisitionException.of(registrationId, ex);
				recordFailure(registrationId, failure);
				this.inFlight.remove(registrationId, mine);
				mine.completeExceptionally(failure);
			});
		return mine;
	}

	private Mono<ManagedToken> renew(String registrationId, @Nullable String rejected, boolean discard) {
		return provider(registrationId).flatMap((provider) -> {
			ManagedToken current = this.nearCache.get(registrationId);
			if (current != null && current.isFreshAt(this.clock.millis()) && !current.hasValue(rejected)) {
				return Mono.just(current);
			}
			if (discard && current != null && current.hasValue(rejected)) {
				this.nearCache.remove(registrationId, current);
			}
			OAuth2AuthorizedClient held = (current != null) ? current.authorizedClient() : null;
			boolean ahead = current != null && current.isUsableAt(this.clock.millis())
					&& !(discard && current.hasValue(rejected));
			Supplier<Mono<ManagedToken>> locked = () -> renewLocked(provider, held, rejected, discard, ahead);
			Mono<ManagedToken> waitForLock = Mono.defer(() -> provider.settings().singleSession()
					? this.lock.withExclusiveLock(provider.lockKey(), locked) : this.lock.withLock(provider.lockKey(), locked));
			// A background renewal ahead of expiry does not wait on the lock: if another instance is renewing, its
			// token will come by change message. Forced and rejected renewals, and expired tokens, do wait.
			Mono<ManagedToken> renewal = (ahead && rejected == null)
					? Mono.defer(() -> this.lock.withLockIfFree(provider.lockKey(), locked, () -> {
						if (!current.isUsableAt(this.clock.millis())) {
							return waitForLock;
						}
						this.backgroundPausedUntil.put(registrationId, this.clock.millis() + BUSY_PAUSE_MILLIS);
						return Mono.just(current);
					})) : waitForLock;
			return freshFromStore(provider, rejected).switchIfEmpty(renewal);
		});
	}

	private Mono<ManagedToken> freshFromStore(Provider provider, @Nullable String rejected) {
		return loadStored(provider).flatMap((stored) -> stored.map((client) -> provider.policy().manage(client))
			.filter((token) -> token.isFreshAt(this.clock.millis()) && !token.hasValue(rejected)
					&& servable(provider, token))
			.map(this::remember)
			.map(Mono::just)
			.orElseGet(Mono::empty));
	}

	private Mono<ManagedToken> renewLocked(Provider provider, @Nullable OAuth2AuthorizedClient held,
			@Nullable String rejected, boolean discard, boolean ahead) {
		return loadStored(provider).flatMap((stored) -> {
			if (stored.isPresent()) {
				ManagedToken token = provider.policy().manage(stored.get());
				if (token.isFreshAt(this.clock.millis()) && !token.hasValue(rejected) && servable(provider, token)) {
					return Mono.just(remember(token));
				}
			}
			OAuth2AuthorizedClient basis = stored.orElse(held);
			boolean storeHoldsRejected = discard && stored.isPresent()
					&& stored.get().getAccessToken().getTokenValue().equals(rejected);
			Mono<ManagedToken> renewal = maySessionAuthenticate(provider, discard || held == null)
					? obtain(provider, basis, ahead) : Mono.error(coordinationLostError(provider));
			return renewal.onErrorResume((ex) -> storeHoldsRejected
					? this.store.removeAuthorizedClient(provider.registrationId(), provider.principal().getName())
						.then(Mono.error(ex))
					: Mono.error(ex));
		});
	}

	private Mono<ManagedToken> obtain(Provider provider, @Nullable OAuth2AuthorizedClient basis, boolean ahead) {
		return provider.grants()
			.obtain(provider.registration(), provider.principal(), basis)
			.map(this::restamp)
			.flatMap((client) -> ManagedToken.isSendable(client.getAccessToken().getTokenValue()) ? Mono.just(client)
					: Mono.error(new TokenAcquisitionException(provider.registrationId(),
							TokenEndpointException.INVALID_TOKEN_RESPONSE,
							"the access token has characters that cannot be sent in an HTTP header", false, null)))
			.flatMap((client) -> this.store.saveAuthorizedClient(client, provider.principal())
				.thenReturn(client)
				// Another holder saved a newer token meanwhile (this one outlived its lock): theirs wins.
				.onErrorResume(StaleAuthorizedClientException.class,
						(ex) -> loadStored(provider).map((stored) -> stored.orElse(client))))
			.map((client) -> {
				ManagedToken token = remember(provider.policy().manage(client));
				this.failures.remove(provider.registrationId());
				activity(provider.registrationId()).obtained();
				this.observer.obtained(token, ahead);
				return token;
			});
	}

	/**
	 * Whether this instance cannot coordinate its renewals with the fleet for a provider that keeps one session
	 * per client.
	 */
	private boolean coordinationLost(Provider provider) {
		return provider.settings().singleSession() && this.lock.isDegraded();
	}

	/**
	 * Whether a renewal may authenticate. Only a single-session provider's, without fleet coordination, is limited:
	 * renewing the token this instance holds is its own session's business, but taking the session after a
	 * rejection, or without any token, ends another instance's session, so it runs within a per-instance budget.
	 */
	private boolean maySessionAuthenticate(Provider provider, boolean takesSession) {
		if (!provider.settings().singleSession()) {
			return true;
		}
		if (!this.lock.isDegraded()) {
			provider.sessionBudget().reset();
			return true;
		}
		return !takesSession || provider.sessionBudget().tryAuthenticate(this.clock.millis());
	}

	private TokenAcquisitionException coordinationLostError(Provider provider) {
		return new TokenAcquisitionException(provider.registrationId(), COORDINATION_LOST,
				"single-session provider, coordination lost: the token store does not answer, and authenticating "
						+ "now would end another instance's session; next attempt from "
						+ Instant.ofEpochMilli(provider.sessionBudget().nextAllowedMillis()),
				true, null);
	}

	/**
	 * Whether a token read from the store or taken from another instance may be served: one that cannot be sent
	 * in a header would fail every call without a 401 to renew it, and a revoked one must not come back through
	 * a read that raced with its revocation.
	 */
	private static boolean servable(Provider provider, ManagedToken token) {
		return token.isSendable() && !token.hasValue(provider.revoked().get());
	}

	private ManagedToken remember(ManagedToken token) {
		this.nearCache.put(token.authorizedClient().getClientRegistration().getRegistrationId(), token);
		return token;
	}

	private Mono<Optional<OAuth2AuthorizedClient>> loadStored(Provider provider) {
		return this.store
			.<OAuth2AuthorizedClient>loadAuthorizedClient(provider.registrationId(), provider.principal().getName())
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty());
	}

	/**
	 * Measures the token's lifetime from when it arrived, on the engine's clock, so every threshold is on the
	 * same clock whatever the token response client used.
	 */
	private OAuth2AuthorizedClient restamp(OAuth2AuthorizedClient client) {
		OAuth2AccessToken token = client.getAccessToken();
		Instant now = this.clock.instant();
		Duration lifetime = (token.getIssuedAt() != null && token.getExpiresAt() != null)
				? Duration.between(token.getIssuedAt(), token.getExpiresAt()) : Duration.ZERO;
		OAuth2AccessToken restamped = new OAuth2AccessToken(token.getTokenType(), token.getTokenValue(), now,
				lifetime.isZero() ? null : now.plus(lifetime), token.getScopes());
		return new OAuth2AuthorizedClient(client.getClientRegistration(), client.getPrincipalName(), restamped,
				restamp(client.getRefreshToken(), token.getIssuedAt(), now));
	}

	/**
	 * A refresh token that came with this response (same issue time as its access token) moves to the engine's
	 * clock with it; one kept from an earlier response is on that clock already.
	 */
	private static @Nullable OAuth2RefreshToken restamp(@Nullable OAuth2RefreshToken refreshToken,
			@Nullable Instant accessIssuedAt, Instant now) {
		if (refreshToken == null || refreshToken.getIssuedAt() == null || accessIssuedAt == null
				|| !refreshToken.getIssuedAt().equals(accessIssuedAt)) {
			return refreshToken;
		}
		Duration shift = Duration.between(accessIssuedAt, now);
		return new OAuth2RefreshToken(refreshToken.getTokenValue(), now,
				(refreshToken.getExpiresAt() != null) ? refreshToken.getExpiresAt().plus(shift) : null);
	}

	private void recordFailure(String registrationId, TokenAcquisitionException failure) {
		Provider provider = this.providers.get(registrationId);
		Duration cooldown = (provider != null) ? provider.settings().refresh().failureCooldown() : Duration.ZERO;
		if (!cooldown.isZero()) {
			this.failures.put(registrationId, new Failure(this.clock.millis() + cooldown.toMillis(), failure));
		}
		activity(registrationId).failed(failure, this.clock.instant());
		this.observer.failed(failure);
	}

	private ProviderActivity activity(String registrationId) {
		return this.activities.computeIfAbsent(registrationId, (id) -> new ProviderActivity());
	}

	private Mono<Provider> provider(String registrationId) {
		Provider known = this.providers.get(registrationId);
		if (known != null) {
			return Mono.just(known);
		}
		return this.registrations.findByRegistrationId(registrationId)
			.switchIfEmpty(Mono.error(() -> new IllegalArgumentException(
					"No client registration named '" + registrationId + "' (token.providers." + registrationId
							+ " or spring.security.oauth2.client.registration." + registrationId + ")")))
			.map((registration) -> this.providers.computeIfAbsent(registrationId, (id) -> describe(registration)));
	}

	private Provider describe(ClientRegistration registration) {
		ProviderSettings providerSettings = this.settings.provider(registration.getRegistrationId());
		return new Provider(registration,
				ApplicationPrincipal.of(registration, providerSettings.parameters(),
						this.settings.username(registration.getRegistrationId())),
				providerSettings, new RefreshPolicy(providerSettings.refresh(), this.clock),
				this.grants.forRegistration(registration), new RejectionRenewals(), new AtomicReference<>(),
				new SessionRenewalBudget(providerSettings.refresh().failureCooldown().toMillis()));
	}

	/**
	 * Revokes the provider's token: forgets it in the store and the near cache, marks it so that no read racing
	 * with this one brings it back, then revokes it at the provider when it has a revocation endpoint, whatever
	 * the provider answers. Runs under the renewal lock, so a renewal holding it finishes first and the token it
	 * stored is the one revoked. The next call obtains a new token.
	 * @param registrationId the provider's name
	 * @return completes once the token is forgotten
	 */
	public Mono<Void> revoke(String registrationId) {
		return provider(registrationId).flatMap((provider) -> this.lock.withLock(provider.lockKey(),
				() -> loadStored(provider).flatMap((stored) -> {
					ManagedToken cached = this.nearCache.get(registrationId);
					OAuth2AuthorizedClient held = stored.orElse((cached != null) ? cached.authorizedClient() : null);
					if (held == null) {
						return Mono.empty();
					}
					provider.revoked().set(held.getAccessToken().getTokenValue());
					this.nearCache.remove(registrationId);
					return this.store.removeAuthorizedClient(registrationId, provider.principal().getName())
						.then(provider.grants().revoke(held))
						.then();
				})));
	}

	private record Failure(long untilMillis, TokenAcquisitionException error) {
	}

	/**
	 * A provider in use here.
	 * @param rejections the renewals its API's rejections caused
	 * @param revoked the value of the token last revoked here, refused wherever it comes from
	 * @param sessionBudget the authentications a single-session provider allows while coordination is lost
	 */
	private record Provider(ClientRegistration registration, ApplicationPrincipal principal,
			ProviderSettings settings, RefreshPolicy policy, ProviderGrants grants, RejectionRenewals rejections,
			AtomicReference<@Nullable String> revoked, SessionRenewalBudget sessionBudget) {

		String registrationId() {
			return this.registration.getRegistrationId();
		}

		String lockKey() {
			return registrationId() + ':' + this.principal.getName();
		}

	}

}
