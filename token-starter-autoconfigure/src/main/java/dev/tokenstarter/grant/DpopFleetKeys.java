package dev.tokenstarter.grant;

import java.text.ParseException;
import java.util.function.Supplier;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.util.Assert;

import dev.tokenstarter.ssl.DpopKeyStore;
import dev.tokenstarter.ssl.UnusableDpopKeyException;
import dev.tokenstarter.store.RedisDpopKeyEntries;
import dev.tokenstarter.store.TamperedValueException;

/**
 * The fleet's DPoP keys in the shared Redis store, sealed with the store's encryption keys like tokens. A
 * provider's key is created once for the fleet: an instance that finds none takes the fleet's lock for it, reads
 * again, and generates and saves a key only if it still finds none; the others load that key. A rotation
 * generates and saves under the same lock.
 */
public final class DpopFleetKeys implements DpopKeyStore {

	private static final Log logger = LogFactory.getLog(DpopFleetKeys.class);

	private final RedisDpopKeyEntries entries;

	private final FleetLock lock;

	/**
	 * Creates the fleet's keys.
	 * @param entries the sealed keys in Redis
	 * @param lock the fleet's lock (the renewal lock, under a name of its own per provider)
	 */
	public DpopFleetKeys(RedisDpopKeyEntries entries, FleetLock lock) {
		Assert.notNull(entries, "entries cannot be null");
		Assert.notNull(lock, "lock cannot be null");
		this.entries = entries;
		this.lock = lock;
	}

	@Override
	public Mono<JWK> current(String registrationId, Supplier<JWK> generator) {
		Mono<JWK> created = Mono.defer(() -> save(registrationId, generator, "Created"));
		return read(registrationId).switchIfEmpty(Mono.defer(() -> this.lock.withLock(lockName(registrationId),
				() -> read(registrationId).switchIfEmpty(created))));
	}

	@Override
	public Mono<JWK> find(String registrationId, String thumbprint) {
		return this.entries.find(registrationId, thumbprint).map((json) -> parse(json, thumbprint));
	}

	@Override
	public Mono<JWK> rotate(String registrationId, Supplier<JWK> generator) {
		return this.lock.withLock(lockName(registrationId), () -> save(registrationId, generator, "Rotated"));
	}

	/**
	 * Reads the current key; one that is stored but cannot be used is told apart from a store that does not
	 * answer, since only the latter lets an instance sign with a key of its own.
	 */
	private Mono<JWK> read(String registrationId) {
		return this.entries.current(registrationId)
			.map((json) -> parse(json, null))
			.onErrorMap(TamperedValueException.class, (ex) -> new UnusableDpopKeyException(
					"The fleet's DPoP key of provider '" + registrationId + "' cannot be used: " + ex.getMessage(), ex));
	}

	/**
	 * Generates off the caller's thread (an RSA key takes a while) and saves the key as the current one.
	 */
	private Mono<JWK> save(String registrationId, Supplier<JWK> generator, String what) {
		return Mono.fromSupplier(generator).subscribeOn(Schedulers.boundedElastic()).flatMap((jwk) -> {
			String thumbprint = thumbprint(jwk);
			return this.entries.saveCurrent(registrationId, thumbprint, jwk.toJSONString())
				.doOnSuccess((done) -> logger.info(what + " the fleet's DPoP key of provider '" + registrationId
						+ "': jkt=" + thumbprint))
				.thenReturn(jwk);
		});
	}

	/**
	 * Reads a stored key pair, which must be one (a private key) and, when asked for by thumbprint, that key.
	 */
	private static JWK parse(String json, @Nullable String expectedThumbprint) {
		JWK jwk;
		try {
			jwk = JWK.parse(json);
		}
		catch (ParseException ex) {
			// Not chained: the parser's message may quote the value, which holds the private key.
			throw new TamperedValueException("Stored DPoP key is not a JWK");
		}
		if (!jwk.isPrivate()) {
			throw new TamperedValueException("Stored DPoP key holds no private key");
		}
		if (expectedThumbprint != null && !expectedThumbprint.equals(thumbprint(jwk))) {
			throw new TamperedValueException("Stored DPoP key is not the key of its thumbprint");
		}
		return jwk;
	}

	private static String thumbprint(JWK jwk) {
		try {
			return jwk.computeThumbprint().toString();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("The thumbprint of a DPoP key cannot be computed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The lock name of a provider's DPoP key: beside the renewal locks (registration and principal), never one
	 * of them.
	 */
	private static String lockName(String registrationId) {
		return "dpop-key/" + registrationId;
	}

	/**
	 * Runs work under the fleet's lock of a name.
	 */
	@FunctionalInterface
	public interface FleetLock {

		/**
		 * Runs {@code work} while holding the lock named {@code name}.
		 * @param name the lock's name
		 * @param work the work
		 * @return the work's result
		 */
		Mono<JWK> withLock(String name, Supplier<Mono<JWK>> work);

	}

}
