package dev.tokenstarter.ssl;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.util.Assert;

import dev.tokenstarter.config.DpopKeyType;
import dev.tokenstarter.config.DpopSettings;
import dev.tokenstarter.config.TokenSettings;

/**
 * The DPoP key pairs of the providers whose tokens are DPoP-bound, and which key each token is bound to.
 *
 * <p>Without a {@link DpopKeyStore} (memory mode) a provider's key is generated at its first use and kept in
 * memory only: a key that is never written anywhere cannot leak from there, and a restart obtains new tokens with
 * a new key. With one (fleet mode) the key is the fleet's: read from the store for every token request, so that a
 * key rotated by another instance is used from then on, and created once for the whole fleet.
 *
 * <p>A token is always sent with the key its token request was signed with: the grant {@linkplain #bind binds}
 * each token it obtains, and a token read from the shared store is {@linkplain #restore restored} with the key
 * stored beside it, loaded from the store when this instance does not hold it. After a rotation, the tokens bound
 * to the previous key keep their key until they are replaced.
 *
 * <p>While the fleet's store does not answer, token requests are signed with the fleet's key this instance read
 * last, as renewals go on without the store. An instance that has never read it (it started during the outage)
 * signs with a key of its own instead, made once and kept in memory only, so that its callers are served as on
 * any other instance cut off from Redis. The fleet can never send a token bound to that key: such tokens are
 * {@linkplain #isShared not shared} (the store neither writes them nor writes them back), and once the store
 * answers, the next token request is signed with the fleet's key again. A single-session provider gets no key of
 * the instance's own: its token would take the provider's only session from the fleet without the fleet ever
 * receiving it, so the session would change hands once more when the store answers. Its token requests fail with
 * {@link NoFleetDpopKeyException} until then, as the engine refuses callers of a single-session provider it
 * cannot coordinate.
 */
public final class DpopKeys {

	private static final Log logger = LogFactory.getLog(DpopKeys.class);

	private static final int RSA_BITS = 2048;

	/** A key outlives its last token by this much, for a call that took the token just before it expired. */
	private static final Duration BINDING_GRACE = Duration.ofMinutes(1);

	private final TokenSettings settings;

	private final @Nullable DpopKeyStore store;

	/** Each provider's current key: the only one in memory mode, the last one read in fleet mode. */
	private final Map<String, DpopKey> current = new ConcurrentHashMap<>();

	/** The keys generated or loaded here, by thumbprint; few (a provider's current and previous key). */
	private final Map<String, DpopKey> byThumbprint = new ConcurrentHashMap<>();

	/** Each provider's key of this instance alone: made while cut off from the fleet's store before reading its key. */
	private final Map<String, DpopKey> own = new ConcurrentHashMap<>();

	/** The thumbprints of the keys in {@link #own}, which no token the fleet may send is bound to. */
	private final Set<String> ownThumbprints = ConcurrentHashMap.newKeySet();

	/**
	 * The thumbprint of each token's key, by the token's hash ({@code ath}), for as long as the token lives and a
	 * minute more, on the application's clock, which the engine judges expiry by. Bounded by the live tokens only:
	 * a binding dropped for room would leave a held token that can be sent with no key (no other key's proof is
	 * accepted with it), and each binding is a fraction of the token the engine or store holds beside it.
	 */
	private final Cache<String, Binding> bindings;

	/**
	 * Creates the keys of an instance whose tokens are its own (memory mode).
	 * @param settings the providers' settings
	 */
	public DpopKeys(TokenSettings settings) {
		this(settings, null, Clock.systemUTC());
	}

	/**
	 * Creates the keys of an instance.
	 * @param settings the providers' settings
	 * @param store where the fleet keeps its keys, or null when the tokens are this instance's own
	 * @param clock the application's clock, which tokens' lifetimes are measured on
	 */
	public DpopKeys(TokenSettings settings, @Nullable DpopKeyStore store, Clock clock) {
		Assert.notNull(settings, "settings cannot be null");
		Assert.notNull(clock, "clock cannot be null");
		this.settings = settings;
		this.store = store;
		this.bindings = Caffeine.newBuilder()
			.expireAfter(Expiry.creating((String hash, Binding binding) -> binding.lifetime()))
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build();
	}

	/**
	 * Returns the key a provider's next token request is signed with, generating it on first use.
	 * @param registrationId the client registration id
	 * @return the key: in fleet mode the fleet's, the one read last while the store does not answer, or this
	 * instance's own when it never read one; fails when the provider's tokens are not DPoP-bound, with
	 * {@link UnusableDpopKeyException} when the store holds a key that cannot be used and this instance has read
	 * none before, and with {@link NoFleetDpopKeyException} for a single-session provider that would need a key of
	 * its own
	 */
	public Mono<DpopKey> current(String registrationId) {
		DpopSettings dpop = this.settings.provider(registrationId).dpop();
		if (dpop == null) {
			return Mono.error(() -> notDpop(registrationId));
		}
		DpopKeyStore fleet = this.store;
		if (fleet == null) {
			DpopKey held = this.current.get(registrationId);
			return (held != null) ? Mono.just(held)
					: generated(() -> this.current.computeIfAbsent(registrationId,
							(id) -> known(generate(dpop.keyType()))));
		}
		return fleet.current(registrationId, () -> generate(dpop.keyType()))
			.map(this::known)
			.doOnNext((key) -> this.current.put(registrationId, key))
			.onErrorResume((ex) -> withoutStore(registrationId, dpop, ex));
	}

	/**
	 * Makes a new key the one a provider's token requests are signed with: the fleet's, with a store. Tokens
	 * already obtained keep the key they are bound to until they are replaced.
	 * @param registrationId the client registration id
	 * @return the new key
	 */
	public Mono<DpopKey> rotate(String registrationId) {
		DpopSettings dpop = this.settings.provider(registrationId).dpop();
		if (dpop == null) {
			return Mono.error(() -> notDpop(registrationId));
		}
		DpopKeyStore fleet = this.store;
		// The fleet's store logs its rotations, for the whole fleet to see; an instance's own key is logged here.
		Mono<DpopKey> rotated = (fleet != null)
				? fleet.rotate(registrationId, () -> generate(dpop.keyType())).map(this::known)
				: generated(() -> known(generate(dpop.keyType())))
					.doOnNext((key) -> logger
						.info("Rotated the DPoP key of provider '" + registrationId + "': " + key));
		return rotated.doOnNext((key) -> this.current.put(registrationId, key));
	}

	/**
	 * Records that a token is bound to a key: the key its token request was signed with.
	 * @param registrationId the client registration id
	 * @param token the access token
	 * @param key the key
	 */
	public void bind(String registrationId, OAuth2AccessToken token, DpopKey key) {
		this.bindings.put(DpopProofs.accessTokenHash(token.getTokenValue()),
				new Binding(key.thumbprint(), lifetime(registrationId, token)));
	}

	/**
	 * Returns the thumbprint of the key a token is bound to.
	 * @param token the access token
	 * @return the key's RFC 7638 thumbprint, or null when this instance knows of no key for the token
	 */
	public @Nullable String thumbprintOf(OAuth2AccessToken token) {
		Binding binding = this.bindings.getIfPresent(DpopProofs.accessTokenHash(token.getTokenValue()));
		return (binding != null) ? binding.thumbprint() : null;
	}

	/**
	 * Gets ready to send a token read from a store: obtains the key it is bound to, from the fleet's store when
	 * this instance does not hold it, and binds the token to it.
	 * @param registrationId the client registration id
	 * @param token the access token
	 * @param thumbprint the thumbprint stored with the token
	 * @return whether this instance has the key now; a token whose key it cannot get must not be sent
	 */
	public Mono<Boolean> restore(String registrationId, OAuth2AccessToken token, String thumbprint) {
		DpopKey held = this.byThumbprint.get(thumbprint);
		DpopKeyStore fleet = this.store;
		Mono<DpopKey> key = (held != null) ? Mono.just(held)
				: (fleet != null) ? fleet.find(registrationId, thumbprint).map(this::known) : Mono.empty();
		return key.filter((found) -> found.thumbprint().equals(thumbprint)).map((found) -> {
			bind(registrationId, token, found);
			// A key of the fleet's: should the store stop answering before this instance reads the current one,
			// tokens signed with it can still be handed to the fleet, which keeps it while it is current or previous.
			if (fleet != null && isShared(thumbprint)) {
				this.current.putIfAbsent(registrationId, found);
			}
			return true;
		}).switchIfEmpty(Mono.fromSupplier(() -> {
			logger.info("A stored token of provider '" + registrationId + "' is bound to a DPoP key the store no "
					+ "longer has (jkt=" + thumbprint + "): the token is not used");
			return false;
		})).onErrorResume((ex) -> {
			logger.warn("The DPoP key of a stored token of provider '" + registrationId
					+ "' cannot be read from the store (" + ex.getMessage() + "): the token is not used");
			return Mono.just(false);
		});
	}

	/**
	 * Returns the key a token is bound to, by the token's hash.
	 */
	@Nullable DpopKey boundKey(String accessTokenHash) {
		Binding binding = this.bindings.getIfPresent(accessTokenHash);
		return (binding != null) ? this.byThumbprint.get(binding.thumbprint()) : null;
	}

	private DpopKey known(JWK jwk) {
		DpopKey key = new DpopKey(jwk);
		DpopKey held = this.byThumbprint.putIfAbsent(key.thumbprint(), key);
		return (held != null) ? held : key;
	}

	/**
	 * Whether the fleet can send a token bound to a key: false for a key of this instance's own.
	 * @param thumbprint the key's RFC 7638 thumbprint
	 * @return whether the key is the fleet's (or, in memory mode, the instance's only one)
	 */
	public boolean isShared(String thumbprint) {
		return !this.ownThumbprints.contains(thumbprint);
	}

	/**
	 * The key to sign with when the fleet's store does not answer: the one read last, as a renewal goes on
	 * without the store; without one, a key of this instance's own, except for a single-session provider.
	 */
	private Mono<DpopKey> withoutStore(String registrationId, DpopSettings dpop, Throwable failure) {
		DpopKey known = this.current.get(registrationId);
		if (known != null) {
			logger.warn("The DPoP key of provider '" + registrationId + "' cannot be read from the token store ("
					+ failure.getMessage() + "): signing with the one read last, " + known);
			return Mono.just(known);
		}
		if (failure instanceof UnusableDpopKeyException) {
			return Mono.error(failure);
		}
		if (this.settings.provider(registrationId).singleSession()) {
			return Mono.error(new NoFleetDpopKeyException("single-session provider, coordination lost: the token "
					+ "store does not answer and this instance has never read the fleet's DPoP key; a key of its own "
					+ "would take the session with a token the fleet cannot send", failure));
		}
		DpopKey own = this.own.get(registrationId);
		if (own != null) {
			return Mono.just(own);
		}
		return generated(() -> this.own.computeIfAbsent(registrationId, (id) -> {
			DpopKey key = known(generate(dpop.keyType()));
			this.ownThumbprints.add(key.thumbprint());
			logger.warn("The DPoP key of provider '" + registrationId + "' cannot be read from the token store ("
					+ failure.getMessage() + ") and this instance has never read it: signing with a key of its own, "
					+ key + ", until the store answers; the tokens bound to it are not shared with the fleet");
			return key;
		}));
	}

	/**
	 * Makes a key off the caller's thread, as the fleet's store does: an RSA key takes tens to hundreds of
	 * milliseconds, which on an event loop would hold up every connection it serves.
	 */
	private static Mono<DpopKey> generated(Supplier<DpopKey> generator) {
		return Mono.fromSupplier(generator).subscribeOn(Schedulers.boundedElastic());
	}

	private Duration lifetime(String registrationId, OAuth2AccessToken token) {
		Duration lifetime = (token.getIssuedAt() != null && token.getExpiresAt() != null)
				? Duration.between(token.getIssuedAt(), token.getExpiresAt())
				: this.settings.provider(registrationId).refresh().defaultLifetime();
		return (lifetime.isNegative() ? Duration.ZERO : lifetime).plus(BINDING_GRACE);
	}

	private static IllegalStateException notDpop(String registrationId) {
		return new IllegalStateException("The tokens of provider '" + registrationId
				+ "' are not DPoP-bound (token.providers." + registrationId + ".dpop.enabled)");
	}

	private static JWK generate(DpopKeyType type) {
		try {
			return (type == DpopKeyType.RSA) ? new RSAKeyGenerator(RSA_BITS).generate()
					: new ECKeyGenerator(Curve.P_256).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("A DPoP key pair cannot be generated: " + ex.getMessage(), ex);
		}
	}

	private record Binding(String thumbprint, Duration lifetime) {

	}

}
