package dev.tokenstarter.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The state of every key this process serves. Application keys, a handful per process and used on every call,
 * live in a plain map and are never evicted. Other keys (users, callers, scopes, audiences) may be many: they live
 * in a cache bounded in size and idle time, and a key it drops is read from the shared store again when next used.
 */
final class KeyStates {

	private final Map<String, KeyState> applications = new ConcurrentHashMap<>();

	private final Cache<TokenKey, KeyState> keyed;

	/** Reads without telling the eviction policy: the hot path tells it once a second per key, in {@link #touch}. */
	private final Policy<TokenKey, KeyState> quietly;

	/** Keyed states by where their token is stored, for the store's change messages. */
	private final Map<String, KeyState> keyedByStoreId = new ConcurrentHashMap<>();

	/**
	 * Creates the registry.
	 * @param maxKeys how many keys other than application keys are held at most
	 * @param idleTimeout how long such a key is held after its last use
	 * @param clock the engine's clock, which also measures idleness
	 */
	KeyStates(long maxKeys, Duration idleTimeout, Clock clock) {
		Assert.isTrue(maxKeys >= 0, "maxKeys must not be negative");
		Assert.isTrue(!idleTimeout.isNegative(), "idleTimeout must not be negative");
		// Evictions run on the calling thread: a dropped key must leave the store index at once (or, while its
		// token is being renewed, as soon as the renewal ends), and no pool thread is needed for a cache that only
		// holds references.
		this.keyed = Caffeine.newBuilder()
			.maximumSize(maxKeys)
			.expireAfterAccess(idleTimeout)
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.<TokenKey, KeyState>evictionListener((key, state, cause) -> release(state))
			.build();
		this.quietly = this.keyed.policy();
	}

	/**
	 * Returns the state of a key, or null when it is not held. The hot path: no allocation.
	 */
	@Nullable KeyState find(TokenKey key) {
		return key.isApplication() ? this.applications.get(key.registrationId())
				: this.quietly.getIfPresentQuietly(key);
	}

	/**
	 * Tells the eviction policy that a key was used: its idle time starts again and it counts as recently used.
	 * Called at most once a second per key (when its token's last-use time moves), which keeps the policy's
	 * bookkeeping off every call.
	 */
	void touch(TokenKey key) {
		if (!key.isApplication()) {
			this.keyed.getIfPresent(key);
		}
	}

	/**
	 * Returns the state of a provider's application key, or null when it is not held.
	 */
	@Nullable KeyState application(String registrationId) {
		return this.applications.get(registrationId);
	}

	/**
	 * Returns the state of a key, creating it when it is not held. A key that names the very token another held
	 * key names (the registration's own scopes, say) gets that key's state: one token, one renewal.
	 * @param key the key
	 * @param factory creates the state of a key that is not held
	 * @return the key's state
	 */
	KeyState obtain(TokenKey key, Function<TokenKey, KeyState> factory) {
		if (key.isApplication()) {
			return this.applications.computeIfAbsent(key.registrationId(), (id) -> factory.apply(key));
		}
		return this.keyed.get(key, (k) -> {
			KeyState created = factory.apply(k);
			KeyState application = this.applications.get(k.registrationId());
			if (application != null && application.storeId().equals(created.storeId())) {
				return application;
			}
			return this.keyedByStoreId.compute(created.storeId(), (id, held) -> {
				KeyState state = (held != null) ? held : created;
				state.keyAdded();
				return state;
			});
		});
	}

	/**
	 * Lets go of a state one of its keys no longer names: the state is dropped with the last of them, not with the
	 * first, as two keys may name one token (the same request said two ways) and one may idle while the other is
	 * in use. Counted under the store index's lock of the state's entry, as {@link #obtain} counts. A state whose
	 * renewal is under way stays in the index until the renewal ends: a removal of the key's token meanwhile must
	 * reach that renewal (or it renews the ended session from the token it holds), and a caller of the key joins it
	 * rather than starting a second state and a second renewal.
	 */
	private void release(KeyState state) {
		dropUnlessNamed(state, () -> state.keyRemoved() > 0);
	}

	/**
	 * Drops a state from the store index unless a key still names it ({@code named}, asked under the index's lock
	 * of the state's entry) or its renewal is under way: then once the renewal has ended, unless a key named it
	 * again meanwhile. The renewal is waited for outside the lock, as one that ends at once would otherwise update
	 * the index within its own update.
	 */
	private void dropUnlessNamed(KeyState state, BooleanSupplier named) {
		AtomicReference<@Nullable RenewalFlight> renewing = new AtomicReference<>();
		this.keyedByStoreId.computeIfPresent(state.storeId(), (id, held) -> {
			if (held != state || named.getAsBoolean()) {
				return held;
			}
			RenewalFlight flight = state.inFlight().get();
			if (flight != null && !flight.isDone()) {
				renewing.set(flight);
				return state;
			}
			state.drop();
			return null;
		});
		RenewalFlight flight = renewing.get();
		if (flight != null) {
			flight.whenComplete((token, failure) -> dropUnlessNamed(state, state::isNamed));
		}
	}

	/**
	 * Returns the state whose token is stored for a registration and principal, or null when none is held.
	 */
	@Nullable KeyState stored(String registrationId, String principalName) {
		KeyState application = this.applications.get(registrationId);
		if (application != null && application.principal().getName().equals(principalName)) {
			return application;
		}
		return this.keyedByStoreId.get(KeyState.storeId(registrationId, principalName));
	}

	/**
	 * Returns how many keys other than application keys are held.
	 */
	long keyedCount() {
		this.keyed.cleanUp();
		return this.keyed.estimatedSize();
	}

	/**
	 * Returns how many application keys are held.
	 */
	int applicationCount() {
		return this.applications.size();
	}

}
