package dev.tokenstarter.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenEndpointException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.store.SharedTokenStore;
import dev.tokenstarter.store.StaleAuthorizedClientException;

/**
 * Renews keys' tokens: once at a time per key in this process (single-flight), under the key's {@link TokenLock}
 * across the fleet, after re-reading the shared store so that another holder's fresh token is used instead of
 * asking the provider again, and saving what the provider answered with a compare-and-set so that a holder that
 * outlived its lock cannot overwrite a newer token.
 */
final class RenewalCoordinator {

	/**
	 * How long background renewals pause after finding another instance renewing: its token normally arrives by
	 * change message well within this, and stale callers would otherwise ask Redis for the lock on every call.
	 */
	private static final long BUSY_PAUSE_MILLIS = 500;

	/**
	 * How often the store is read while waiting for a token another instance writes back after an outage.
	 */
	private static final Duration WRITE_BACK_POLL = Duration.ofMillis(100);

	/**
	 * The longest a provider's {@code Retry-After} holds a key off the provider: a rate limit lasts seconds to
	 * minutes, and an hour asked by a misconfigured gateway must not stop the key's renewals for that hour.
	 */
	static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(5);

	private final ReactiveOAuth2AuthorizedClientService store;

	private final TokenLock lock;

	private final Clock clock;

	private final TokenObserver observer;

	private final ProviderActivities activities;

	private final StalePoints stalePoints;

	RenewalCoordinator(ReactiveOAuth2AuthorizedClientService store, TokenLock lock, Clock clock,
			TokenObserver observer, ProviderActivities activities, StalePoints stalePoints) {
		this.store = store;
		this.lock = lock;
		this.clock = clock;
		this.observer = observer;
		this.activities = activities;
		this.stalePoints = stalePoints;
	}

	/**
	 * Joins the renewal in flight for the key or starts one. The renewal runs to its end even when every waiter
	 * has gone, so a token that was requested is never thrown away.
	 * @param state the key's state
	 * @param renewal why the token is renewed
	 * @return the renewed token, or the failure as a {@link TokenAcquisitionException}
	 */
	CompletableFuture<ManagedToken> flight(KeyState state, Renewal renewal) {
		RenewalFlight mine = new RenewalFlight(renewal);
		RenewalFlight existing = state.inFlight().compareAndExchange(null, mine);
		if (existing != null) {
			if (existing.answers(renewal)) {
				return existing;
			}
			// The joined renewal started for another reason (ahead of expiry, say) and may end with the very token
			// this caller must not get back: then a renewal of its own follows.
			String replaced = renewal.replaced();
			return existing.thenCompose((token) -> token.hasValue(replaced) ? flight(state, renewal)
					: CompletableFuture.completedFuture(token));
		}
		// Leave the in-flight slot before completing: a caller woken by the completion must start a new renewal,
		// not join this finished one. Callers arriving in between find the new token held, or the failure's
		// cooldown. Whatever the renewal does (fail before it starts, end without a token), the flight completes,
		// or every later caller of the key would wait for it forever.
		Mono.defer(() -> renew(state, renewal))
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("the renewal ended without a token")))
			.subscribe((token) -> {
				state.inFlight().compareAndSet(mine, null);
				mine.complete(token);
			}, (ex) -> {
				TokenAcquisitionException failure = TokenAcquisitionException.of(state.registrationId(), ex);
				try {
					recordFailure(state, failure);
				}
				finally {
					// Even when an application's observer throws (Reactor reports that as a dropped error).
					state.inFlight().compareAndSet(mine, null);
					mine.completeExceptionally(failure);
				}
			});
		return mine;
	}

	private Mono<ManagedToken> renew(KeyState state, Renewal renewal) {
		String replaced = renewal.replaced();
		// Marked before the token is read, as a removal drops the token before it counts: a renewal that read the
		// token before it was dropped then sees the count move.
		int removals = state.removals();
		ManagedToken current = state.token();
		if (current != null && current.isFreshAt(this.clock.millis()) && !current.hasValue(replaced)) {
			return Mono.just(current);
		}
		boolean discardCurrent = renewal.discardsReplaced() && current != null && current.hasValue(replaced);
		if (discardCurrent) {
			state.tokenHolder().compareAndSet(current, null);
		}
		OAuth2AuthorizedClient held = (current != null) ? current.authorizedClient() : null;
		boolean ahead = current != null && current.isUsableAt(this.clock.millis()) && !discardCurrent;
		Supplier<Mono<ManagedToken>> locked = () -> renewLocked(state, held, removals, renewal, ahead);
		Supplier<Mono<ManagedToken>> served = () -> servedWhileWaiting(state, replaced);
		Mono<ManagedToken> waitForLock = Mono.defer(() -> exclusive(state, held)
				? this.lock.withExclusiveLock(state.lockKey(), locked, served)
				: this.lock.withLock(state.lockKey(), locked, served));
		// A background renewal ahead of expiry does not wait on the lock: if another instance is renewing, its
		// token will come by change message. Forced and rejected renewals, and expired tokens, do wait.
		Mono<ManagedToken> renewed = (ahead && replaced == null)
				? Mono.defer(() -> this.lock.withLockIfFree(state.lockKey(), locked, () -> {
					// Callers that found no token to serve may have joined meanwhile: a token revoked or replaced
					// since the renewal began is not theirs.
					if (!current.isUsableAt(this.clock.millis()) || state.token() != current
							|| state.removedSince(removals)) {
						return waitForLock;
					}
					state.pauseBackground(this.clock.millis() + BUSY_PAUSE_MILLIS);
					return Mono.just(current);
				})) : waitForLock;
		// A read that failed is a miss here: the renewal reads the store again under the lock, where a failure
		// fails the renewal rather than renewing on what may be an old view.
		return freshFromStore(state, replaced).onErrorResume((ex) -> Mono.empty()).switchIfEmpty(renewed);
	}

	/**
	 * Reads the key's token from the store and holds it when it is fresh, servable and not the one replaced.
	 * @param state the key's state
	 * @param replaced the value of a token not to take, or null
	 * @return the stored token, or empty
	 */
	Mono<ManagedToken> freshFromStore(KeyState state, @Nullable String replaced) {
		return Mono.defer(() -> {
			// Marked before the read: a token removed while the read was under way may be what it found, and held,
			// it would be served, and renewed from (see TokenManager#forget).
			int removals = state.removals();
			return loadStored(state).flatMap((stored) -> stored.map((client) -> state.policy().manage(client))
				.filter((token) -> token.isFreshAt(this.clock.millis()) && !token.hasValue(replaced)
						&& servable(state, token) && !state.removedSince(removals))
				.map((token) -> hold(state, token))
				.map(Mono::just)
				.orElseGet(Mono::empty));
		});
	}

	/**
	 * What a renewal waiting for another instance's lock is served instead of taking the lock in turn: the
	 * holder's token, from the near cache when its change message has come, otherwise from the store (the
	 * message may be lost, or come after the lock's release).
	 */
	private Mono<ManagedToken> servedWhileWaiting(KeyState state, @Nullable String replaced) {
		ManagedToken held = state.token();
		if (held != null && held.isFreshAt(this.clock.millis()) && !held.hasValue(replaced) && servable(state, held)) {
			return Mono.just(held);
		}
		return freshFromStore(state, replaced);
	}

	/**
	 * Renews under the lock, from the stored token, or failing that from the one held when the renewal began
	 * ({@code held}), unless the key's token was removed from the fleet since ({@code removals}, the mark taken
	 * then): renewed from, with its refresh token, it would bring back across the fleet the session a sign-out or a
	 * revocation ended.
	 */
	private Mono<ManagedToken> renewLocked(KeyState state, @Nullable OAuth2AuthorizedClient held, int removals,
			Renewal renewal, boolean ahead) {
		String replaced = renewal.replaced();
		return loadStored(state).flatMap((stored) -> {
			if (stored.isPresent()) {
				ManagedToken token = state.policy().manage(stored.get());
				if (token.isFreshAt(this.clock.millis()) && !token.hasValue(replaced) && servable(state, token)) {
					return Mono.just(hold(state, token));
				}
			}
			OAuth2AuthorizedClient basis = stored.orElse(state.removedSince(removals) ? null : held);
			boolean storeHoldsRejected = renewal.discardsReplaced() && stored.isPresent()
					&& stored.get().getAccessToken().getTokenValue().equals(replaced);
			AloneRefusal refusal = refusalToRenewAlone(state, basis, renewal.discardsReplaced() || held == null);
			Mono<ManagedToken> obtained = (refusal == null)
					? writtenBackFirst(state, basis, replaced)
						.switchIfEmpty(Mono.defer(() -> obtain(state, basis, stored.orElse(null), removals, ahead)))
					: refuse(state, basis, refusal);
			return obtained.onErrorResume((ex) -> {
				if (ex instanceof SessionEndedMeanwhile) {
					// Removed already; what is stored now is newer than anything this renewal read.
					return Mono.error(ex);
				}
				if (basis == null && this.lock.isDegraded() && needsTheUser(state, ex)
						&& !(state.isLogin() && state.removals() > 0)) {
					// The user's token may well be in the store this instance cannot read: that is no reason for
					// the user to sign in again, nor, for a login, to end the session for the fleet (the removal
					// would wait for the store and take the session once it answers). Once the store answers, the
					// token is a read away. Unless this instance knows the login's session ended (it removed it,
					// or was told of its removal): then only the user can mend it.
					return Mono.error(new TokenAcquisitionException(state.registrationId(),
							TokenManager.COORDINATION_LOST, "the token store does not answer, and this instance holds "
									+ "neither the user's token nor the user's credentials",
							true, ex));
				}
				if (state.isLogin() && TokenErrors.requiresLogin(ex)) {
					// The user's session at the provider is over: no instance may serve its tokens any more. The
					// removal is conditional on the version read above, so a new login that raced with this
					// renewal stays.
					state.tokenHolder().set(null);
					state.removed();
					return removeStored(state).then(Mono.error(ex));
				}
				return storeHoldsRejected ? removeStored(state).then(Mono.error(ex)) : Mono.error(ex);
			});
		});
	}

	/**
	 * Whether a renewal without a token to renew from failed for want of the user: a password-grant user not
	 * signed in here, or a login without a refresh token.
	 */
	private static boolean needsTheUser(KeyState state, Throwable failure) {
		String code = TokenErrors.errorCode(failure);
		return TokenErrors.SIGN_IN_REQUIRED.equals(code) || (state.isLogin() && TokenErrors.LOGIN_REQUIRED.equals(code));
	}

	/**
	 * Obtains a token from the basis and saves it in place of what the read under the lock found ({@code read}),
	 * and nothing else: a login or a renewal stored since, whatever this instance read meanwhile, is not replaced.
	 * Nor is a token that continues the basis's session (the provider took its refresh token) kept once the key's
	 * token was removed while the token request was under way ({@code removals}, the mark taken before the basis
	 * was read): a revocation that waited for the lock no longer than {@code lock-wait} runs beside a slow renewal,
	 * and the renewed token would bring back, with its refresh token, the session it ended. A token of the primary
	 * grant, after a refused refresh, continues nothing and is saved like any new token.
	 */
	private Mono<ManagedToken> obtain(KeyState state, @Nullable OAuth2AuthorizedClient basis,
			@Nullable OAuth2AuthorizedClient read, int removals, boolean ahead) {
		return state.grants()
			.obtain(state.registration(), state.principal(), basis, state.key().subjectToken())
			.flatMap((obtained) -> {
				OAuth2AuthorizedClient client = restamp(obtained.authorizedClient());
				state.givenHere(client.getRefreshToken());
				if (!ManagedToken.isSendable(client.getAccessToken().getTokenValue())) {
					return Mono.error(new TokenAcquisitionException(state.registrationId(),
							TokenEndpointException.INVALID_TOKEN_RESPONSE,
							"the access token has characters that cannot be sent in an HTTP header", false, null));
				}
				OAuth2AuthorizedClient renewedFrom = obtained.continuesSession() ? basis : null;
				if (renewedFrom != null && state.removedSince(removals)) {
					return sessionEndedMeanwhile(state, renewedFrom, client);
				}
				// When the read found nothing, a renewed session is saved over the session it renews, so that the
				// store refuses it if that session was removed since (by any instance: this one may not have been
				// told), as it keeps a trace of a removal.
				return this.store.saveAuthorizedClient(client, state.principal())
					.contextWrite(SharedTokenStore.basedOn((read != null) ? read : renewedFrom))
					.thenReturn(client)
					// Another holder saved a newer token meanwhile (this one outlived its lock): theirs wins.
					.onErrorResume(StaleAuthorizedClientException.class, (ex) -> ex.isRemoved()
							? removedMeanwhile(state, renewedFrom, client)
							: loadStored(state).map((stored) -> stored.orElse(client)).onErrorReturn(client));
			})
			.map((client) -> {
				ManagedToken token = hold(state, state.policy().manage(client));
				state.failed(null);
				this.activities.of(state.registrationId()).obtained(state.key().isApplication());
				this.observer.obtained(token, ahead);
				return token;
			});
	}

	/**
	 * Handles a save refused because the key's entry was removed since what the save is based on: a renewed
	 * session ({@code renewedFrom}, the client it continues) ends (see {@link #sessionEndedMeanwhile}); a new
	 * token is saved on a read of the removal's trace, for the fleet, unless a token was stored since, which wins.
	 */
	private Mono<OAuth2AuthorizedClient> removedMeanwhile(KeyState state,
			@Nullable OAuth2AuthorizedClient renewedFrom, OAuth2AuthorizedClient obtained) {
		if (renewedFrom != null) {
			// As when told of the removal (see TokenManager#forget): the ended session is no basis of the next
			// renewal, which starts anew instead of being refused again until the trace expires.
			if (state.dropEnded((held) -> held.authorizedClient() == renewedFrom)) {
				state.removed();
			}
			return sessionEndedMeanwhile(state, renewedFrom, obtained);
		}
		return loadStored(state).onErrorReturn(Optional.of(obtained))
			.flatMap((stored) -> stored.map(Mono::just)
				.orElseGet(() -> this.store.saveAuthorizedClient(obtained, state.principal())
					.thenReturn(obtained)
					.onErrorResume(StaleAuthorizedClientException.class, (again) -> Mono.just(obtained))));
	}

	/**
	 * Ends what a renewal obtained for a session removed while its token request was under way (a sign-out, a
	 * revocation, or a new login, which replaces the session): revoked at the provider too (which logs a failure),
	 * so that the refresh token it carries does not outlive the session. A session stored since (the new login)
	 * is served instead; without one, the renewal fails.
	 */
	private Mono<OAuth2AuthorizedClient> sessionEndedMeanwhile(KeyState state, OAuth2AuthorizedClient basis,
			OAuth2AuthorizedClient obtained) {
		String ended = basis.getAccessToken().getTokenValue();
		Mono<Optional<OAuth2AuthorizedClient>> read = loadStored(state).onErrorReturn(Optional.empty());
		return state.grants().revoke(obtained).then(read).flatMap((stored) -> {
			if (stored.isPresent() && !stored.get().getAccessToken().getTokenValue().equals(ended)
					&& servable(state, state.policy().manage(stored.get()))) {
				return Mono.just(stored.get());
			}
			String description = "the token was revoked (a sign-out or a revocation) while its renewal was under way";
			return Mono.error(state.isLogin()
					? new SessionEndedMeanwhile(state.registrationId(), TokenErrors.LOGIN_REQUIRED, description, false)
					: new SessionEndedMeanwhile(state.registrationId(), TokenErrors.REVOKED_DURING_RENEWAL,
							description, true));
		});
	}

	/**
	 * The failure of a renewal whose session ended while it was under way: the session's entry is removed already,
	 * and nothing this renewal read may be removed again.
	 */
	private static final class SessionEndedMeanwhile extends TokenAcquisitionException {

		SessionEndedMeanwhile(String provider, String errorCode, String description, boolean transientFailure) {
			super(provider, errorCode, description, transientFailure, null);
		}

	}

	/**
	 * Whether this instance, without fleet coordination (the token store does not answer), may not renew the
	 * key's token as it would otherwise: a single-session provider's session, or a refresh token the provider gave
	 * to another instance, is not its alone to spend.
	 */
	boolean coordinationLost(KeyState state) {
		if (!this.lock.isDegraded()) {
			return false;
		}
		ManagedToken held = state.token();
		return state.settings().singleSession()
				|| spendsAnotherInstancesRefreshToken(state, (held != null) ? held.authorizedClient() : null);
	}

	/**
	 * Why a renewal may not run without fleet coordination when the store does not answer, or null when it may:
	 * <ul>
	 * <li>a single-session provider's renewal of the token this instance holds is its own session's business, but
	 * taking the session after a rejection, or without any token, ends another instance's session, so it runs
	 * within a per-instance budget;</li>
	 * <li>a refresh token is spent only by the instance the provider gave it to: the others would present it
	 * beside that one, and a provider that rotates refresh tokens takes that for theft and ends the session. They
	 * wait for the store, where that instance writes its new token back.</li>
	 * </ul>
	 */
	private @Nullable AloneRefusal refusalToRenewAlone(KeyState state, @Nullable OAuth2AuthorizedClient basis,
			boolean takesSession) {
		if (!this.lock.isDegraded()) {
			if (state.settings().singleSession()) {
				state.sessionBudget().reset();
			}
			return null;
		}
		if (state.settings().singleSession()) {
			return (!takesSession || state.sessionBudget().tryAuthenticate(this.clock.millis())) ? null
					: AloneRefusal.SESSION_OF_ANOTHER_INSTANCE;
		}
		return spendsAnotherInstancesRefreshToken(state, basis) ? AloneRefusal.REFRESH_TOKEN_OF_ANOTHER_INSTANCE
				: null;
	}

	private Mono<ManagedToken> refuse(KeyState state, @Nullable OAuth2AuthorizedClient basis, AloneRefusal refusal) {
		if (refusal == AloneRefusal.REFRESH_TOKEN_OF_ANOTHER_INSTANCE && basis != null
				&& basis.getRefreshToken() != null) {
			state.doubt(basis.getRefreshToken());
		}
		return Mono.error(new TokenAcquisitionException(state.registrationId(), TokenManager.COORDINATION_LOST,
				refusal.reason(state), true, null));
	}

	/**
	 * Once coordination is back, waits for the instance that was given a refresh token this one was refused to
	 * spend to write back what it obtained with it meanwhile, for as long as every instance may take to rejoin the
	 * fleet: spending it now would present it a second time if that instance did. When nothing comes, that
	 * instance did not spend it (or was lost with its new token, which spending it cannot save).
	 * @return the token written back, or empty when there is nothing to wait for or nothing came
	 */
	private Mono<ManagedToken> writtenBackFirst(KeyState state, @Nullable OAuth2AuthorizedClient basis,
			@Nullable String replaced) {
		OAuth2RefreshToken refreshToken = (basis != null) ? basis.getRefreshToken() : null;
		if (refreshToken == null || !state.isInDoubt(refreshToken)) {
			return Mono.empty();
		}
		long polls = Math.max(1, this.lock.rejoinTime().toMillis() / WRITE_BACK_POLL.toMillis());
		return Mono.defer(() -> freshFromStore(state, replaced).onErrorResume((ex) -> Mono.empty()))
			.repeatWhenEmpty((attempts) -> attempts.take(polls).delayElements(WRITE_BACK_POLL));
	}

	private static boolean spendsAnotherInstancesRefreshToken(KeyState state,
			@Nullable OAuth2AuthorizedClient basis) {
		OAuth2RefreshToken refreshToken = (basis != null) ? basis.getRefreshToken() : null;
		return refreshToken != null && !state.wasGivenHere(refreshToken);
	}

	/**
	 * Whether this renewal must never run beside another holder's, even once the lock wait has run out: when it
	 * would end the session of a provider that keeps one per client, or spend a refresh token the holder may be
	 * spending too, which a provider that rotates them takes for a stolen token, ending the session (a user's
	 * keys renew with refresh tokens; the held token may not say so when it was dropped from memory, nor does it
	 * on an instance that holds none yet, hence the key's tokens read from the store count too).
	 */
	private static boolean exclusive(KeyState state, @Nullable OAuth2AuthorizedClient held) {
		return state.settings().singleSession() || state.isLogin() || state.key().principal() != null
				|| (held != null && held.getRefreshToken() != null) || state.hasSeenRefreshTokens();
	}

	/**
	 * Whether a token read from the store or taken from another instance may be served: one that cannot be sent
	 * in a header would fail every call without a 401 to renew it, and a revoked one must not come back through
	 * a read that raced with its revocation.
	 */
	static boolean servable(KeyState state, ManagedToken token) {
		return token.isSendable() && !token.hasValue(state.revoked().get());
	}

	private ManagedToken hold(KeyState state, ManagedToken token) {
		// A renewal is no use of the key: the new token is as idle as the one it replaces, or the scheduler
		// would renew a token used once for as long as the process runs. A caller that waits for it has marked
		// the old token used on its way here.
		ManagedToken previous = state.tokenHolder().get();
		if (previous != null) {
			token.markUsed(previous.lastUsedMillis());
		}
		state.tokenHolder().set(token);
		this.stalePoints.add(state, token);
		return token;
	}

	Mono<Optional<OAuth2AuthorizedClient>> loadStored(KeyState state) {
		return this.store
			.<OAuth2AuthorizedClient>loadAuthorizedClient(state.registrationId(), state.principal().getName())
			.doOnNext((client) -> state.sawRefreshToken(client.getRefreshToken()))
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty());
	}

	Mono<Void> removeStored(KeyState state) {
		return this.store.removeAuthorizedClient(state.registrationId(), state.principal().getName());
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

	private void recordFailure(KeyState state, TokenAcquisitionException failure) {
		Duration cooldown = cooldown(state.settings().refresh().failureCooldown(), failure);
		// A login that only the user can bring back is not held against the key: the user's next login must be
		// served at once, and asking again costs no token request (the store no longer holds a refresh token).
		boolean userMustLogIn = state.isLogin() && TokenErrors.requiresLogin(failure);
		if (!cooldown.isZero() && !userMustLogIn) {
			state.failed(new KeyState.Failure(this.clock.millis() + cooldown.toMillis(), failure));
		}
		this.activities.of(state.registrationId()).failed(failure, this.clock.instant(), state.key().isApplication());
		this.observer.failed(failure);
	}

	/**
	 * How long callers fail fast after a failure: the provider's cooldown, or as long as the provider asked in a
	 * {@code Retry-After} the retries could not wait out, up to {@link #LONGEST_RETRY_AFTER}, when that is longer
	 * (also when the cooldown is zero: the provider asked). Asking again each cooldown meanwhile, from every
	 * instance, is what prolongs a rate limit or gets the client blocked.
	 */
	private static Duration cooldown(Duration configured, TokenAcquisitionException failure) {
		Duration asked = TokenErrors.retryAfter(failure);
		if (asked == null) {
			return configured;
		}
		Duration honoured = (asked.compareTo(LONGEST_RETRY_AFTER) < 0) ? asked : LONGEST_RETRY_AFTER;
		return (honoured.compareTo(configured) > 0) ? honoured : configured;
	}

	/**
	 * Why a renewal is refused while the fleet's token store does not answer.
	 */
	private enum AloneRefusal {

		SESSION_OF_ANOTHER_INSTANCE {

			@Override
			String reason(KeyState state) {
				return "single-session provider, coordination lost: the token store does not answer, and "
						+ "authenticating now would end another instance's session; next attempt from "
						+ Instant.ofEpochMilli(state.sessionBudget().nextAllowedMillis());
			}

		},

		REFRESH_TOKEN_OF_ANOTHER_INSTANCE {

			@Override
			String reason(KeyState state) {
				return "coordination lost: the token store does not answer, and the refresh token was given to "
						+ "another instance, which may be spending it; waiting for the store to answer again";
			}

		};

		abstract String reason(KeyState state);

	}

}
