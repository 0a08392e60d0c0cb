package dev.tokenstarter.engine;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.grant.ProviderGrants;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Everything the engine keeps for one {@link TokenKey}: how its token is requested and stored, the token held now,
 * the renewal in flight, and the outcome of the last ones. One object per key instead of one map per concern, so
 * that a key's state is read in one place and goes away in one piece.
 */
final class KeyState {

	private static final AtomicIntegerFieldUpdater<KeyState> REMOVALS = AtomicIntegerFieldUpdater
		.newUpdater(KeyState.class, "removals");

	private final TokenKey key;

	private final ClientRegistration registration;

	private final KeyPrincipal principal;

	private final ProviderSettings settings;

	private final RefreshPolicy policy;

	private final ProviderGrants grants;

	private final String storeId;

	private final AtomicReference<@Nullable ManagedToken> token = new AtomicReference<>();

	private final AtomicReference<@Nullable RenewalFlight> inFlight = new AtomicReference<>();

	private final AtomicReference<@Nullable String> revoked = new AtomicReference<>();

	private final RejectionRenewals rejections = new RejectionRenewals();

	private final SessionRenewalBudget sessionBudget;

	private volatile @Nullable Failure failure;

	private volatile long backgroundPausedUntil;

	private volatile boolean dropped;

	/**
	 * How many held keys name this state; changed only under the store index's lock of its entry, read without it
	 * by {@link #isShared}.
	 */
	private volatile int keys;

	private volatile @Nullable String refreshTokenGivenHere;

	private volatile @Nullable String refreshTokenInDoubt;

	private volatile boolean refreshTokensSeen;

	/**
	 * How many times the key's token was removed from the fleet (revoked, signed out) while this state held it. A
	 * field and its updater rather than an AtomicInteger: one object less per key, of which there may be 100,000.
	 */
	private volatile int removals;

	/**
	 * Creates the state of a key.
	 * @param key the key
	 * @param registration the registration its tokens are requested with (the key's scopes applied)
	 * @param principal whom the tokens are stored for
	 * @param settings the provider's settings (the key's parameters applied)
	 * @param policy where its tokens turn stale and expire
	 * @param grants how its tokens are requested
	 */
	KeyState(TokenKey key, ClientRegistration registration, KeyPrincipal principal, ProviderSettings settings,
			RefreshPolicy policy, ProviderGrants grants) {
		this.key = key;
		this.registration = registration;
		this.principal = principal;
		this.settings = settings;
		this.policy = policy;
		this.grants = grants;
		this.storeId = storeId(registration.getRegistrationId(), principal.getName());
		this.sessionBudget = new SessionRenewalBudget(settings.refresh().failureCooldown().toMillis());
	}

	/**
	 * Returns the name under which a stored token is found again when the store reports a change.
	 */
	static String storeId(String registrationId, String principalName) {
		return registrationId + '\n' + principalName;
	}

	TokenKey key() {
		return this.key;
	}

	String registrationId() {
		return this.registration.getRegistrationId();
	}

	/**
	 * Whether the key's tokens come from a user's login (authorization code): they are renewed with their
	 * refresh token only, and only the user can bring them back once that is refused.
	 */
	boolean isLogin() {
		return LoginKeys.isLogin(this.registration);
	}

	ClientRegistration registration() {
		return this.registration;
	}

	KeyPrincipal principal() {
		return this.principal;
	}

	ProviderSettings settings() {
		return this.settings;
	}

	RefreshPolicy policy() {
		return this.policy;
	}

	ProviderGrants grants() {
		return this.grants;
	}

	/**
	 * Returns the name of the key's renewal lock: one per stored token, so one renewal per key across the fleet.
	 */
	String lockKey() {
		// Built per renewal rather than kept: a key among many would otherwise carry it for nothing.
		return registrationId() + ':' + this.principal.getName();
	}

	String storeId() {
		return this.storeId;
	}

	/**
	 * Returns the token held for the key, or null.
	 */
	@Nullable ManagedToken token() {
		return this.token.get();
	}

	AtomicReference<@Nullable ManagedToken> tokenHolder() {
		return this.token;
	}

	AtomicReference<@Nullable RenewalFlight> inFlight() {
		return this.inFlight;
	}

	/**
	 * Returns the value of the token last revoked here, refused wherever it comes from.
	 */
	AtomicReference<@Nullable String> revoked() {
		return this.revoked;
	}

	/**
	 * Returns the renewals its API's rejections caused.
	 */
	RejectionRenewals rejections() {
		return this.rejections;
	}

	/**
	 * Returns the authentications a single-session provider allows while coordination is lost.
	 */
	SessionRenewalBudget sessionBudget() {
		return this.sessionBudget;
	}

	/**
	 * Records the refresh token the provider gave this instance: while the fleet cannot coordinate, only the
	 * instance it was given to spends it.
	 */
	void givenHere(@Nullable OAuth2RefreshToken refreshToken) {
		this.refreshTokenGivenHere = (refreshToken != null) ? refreshToken.getTokenValue() : null;
		this.refreshTokenInDoubt = null;
	}

	/**
	 * Records that this instance was refused to spend a refresh token another instance was given, while the
	 * fleet could not coordinate: that instance may have spent it meanwhile, and its new token may not have
	 * reached the store yet when coordination comes back.
	 */
	void doubt(OAuth2RefreshToken refreshToken) {
		this.refreshTokenInDoubt = refreshToken.getTokenValue();
	}

	/**
	 * Whether this refresh token may have been spent by another instance while the fleet could not coordinate.
	 */
	boolean isInDoubt(OAuth2RefreshToken refreshToken) {
		return refreshToken.getTokenValue().equals(this.refreshTokenInDoubt);
	}

	/**
	 * Whether the provider gave this refresh token to this instance, rather than another instance through the
	 * store.
	 */
	boolean wasGivenHere(OAuth2RefreshToken refreshToken) {
		return refreshToken.getTokenValue().equals(this.refreshTokenGivenHere);
	}

	/**
	 * Records that the key's token was removed from the fleet: revoked here, or removed by another instance (a
	 * sign-out, a revocation, a session found over). Called once the token is dropped from {@link #tokenHolder()},
	 * not before: a renewal marks the count before it reads the token, so either it reads no token or it sees the
	 * count move.
	 */
	void removed() {
		REMOVALS.incrementAndGet(this);
	}

	/**
	 * Drops the held token if {@code ended} says a removal from the fleet ended it, and refuses its value wherever
	 * it comes from: a renewal that began with it, or a read that raced with the removal, must not bring it back.
	 * @param ended whether the held token is one the removal ended
	 * @return whether a token was dropped
	 */
	boolean dropEnded(Predicate<ManagedToken> ended) {
		ManagedToken dropped = this.token.getAndUpdate((held) -> (held != null && ended.test(held)) ? null : held);
		if (dropped == null || !ended.test(dropped)) {
			return false;
		}
		this.revoked.set(dropped.tokenValue());
		return true;
	}

	/**
	 * Returns a mark to tell, with {@link #removedSince}, whether the key's token was removed meanwhile.
	 */
	int removals() {
		return this.removals;
	}

	/**
	 * Whether the key's token was removed from the fleet since {@code mark} was taken.
	 */
	boolean removedSince(int mark) {
		return this.removals != mark;
	}

	/**
	 * Records a token of this key that came with a refresh token, read from the store or obtained here.
	 */
	void sawRefreshToken(@Nullable OAuth2RefreshToken refreshToken) {
		if (refreshToken != null && !this.refreshTokensSeen) {
			this.refreshTokensSeen = true;
		}
	}

	/**
	 * Whether a token of this key came with a refresh token: its renewals may spend one, even on an instance that
	 * holds no token of the key.
	 */
	boolean hasSeenRefreshTokens() {
		return this.refreshTokensSeen;
	}

	@Nullable Failure failure() {
		return this.failure;
	}

	void failed(@Nullable Failure failure) {
		this.failure = failure;
	}

	long backgroundPausedUntil() {
		return this.backgroundPausedUntil;
	}

	void pauseBackground(long untilMillis) {
		this.backgroundPausedUntil = untilMillis;
	}

	/**
	 * Whether the engine still holds the key: a dropped key's state lives on only in what refers to it.
	 */
	boolean isHeld() {
		return !this.dropped;
	}

	void drop() {
		this.dropped = true;
	}

	/**
	 * Whether more than one key names this state: the application key's and a keyed key naming the same request,
	 * or two keyed keys. The token's last use then says nothing of each key's.
	 */
	boolean isShared() {
		return this.key.isApplication() || this.keys > 1;
	}

	void keyAdded() {
		this.keys++;
	}

	/**
	 * Counts a key that no longer names this state.
	 * @return how many keys still name it
	 */
	int keyRemoved() {
		return --this.keys;
	}

	/**
	 * Whether any key names this state.
	 */
	boolean isNamed() {
		return this.keys > 0;
	}

	@Override
	public String toString() {
		return "KeyState[" + this.key + "]";
	}

	/**
	 * A failed renewal, kept for its cooldown.
	 */
	record Failure(long untilMillis, TokenAcquisitionException error) {
	}

}
