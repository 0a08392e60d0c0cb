package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.redisson.api.RScript;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;

import org.springframework.util.Assert;

/**
 * The DPoP key pairs of a fleet's providers in Redis, one hash per registration: each key pair sealed like token
 * entries, with the store's cipher (never a private key in plain text), bound to the hash and to the key's
 * thumbprint so that a value moved to another field or hash does not open; and the thumbprint of the current one.
 * Making a key current keeps the one before it, whose tokens other instances may still send until the new key's
 * token reaches them, and drops older ones. Knows keys only as JSON and thumbprints: the caller checks that what
 * it reads is the key it asked for.
 */
public class RedisDpopKeyEntries {

	private static final String CURRENT = "current";

	private static final String KEY = "key:";

	/**
	 * KEYS[1] the registration's hash; ARGV the new key's thumbprint and sealed value. Makes it current, keeps the
	 * previous current key, drops the others.
	 */
	private static final String SAVE_CURRENT = """
			local previous = redis.call('HGET', KEYS[1], 'current')
			redis.call('HSET', KEYS[1], 'key:' .. ARGV[1], ARGV[2], 'current', ARGV[1])
			for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
				if string.sub(field, 1, 4) == 'key:' and field ~= 'key:' .. ARGV[1]
						and (not previous or field ~= 'key:' .. previous) then
					redis.call('HDEL', KEYS[1], field)
				end
			end
			return 1
			""";

	/**
	 * KEYS[1] the registration's hash; ARGV the key's field, the sealed value read, the value sealed again. Replaces
	 * the value only if it is still the one read: a rotation meanwhile may have dropped the key.
	 */
	private static final String RESEAL = """
			if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
			redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
			return 1
			""";

	private static final Log logger = LogFactory.getLog(RedisDpopKeyEntries.class);

	private final RedissonReactiveClient redis;

	private final TokenCipher cipher;

	private final RedisKeys keys;

	private final RedisAvailability availability;

	private final Duration timeout;

	/**
	 * Creates the entries.
	 * @param redis the Redis client
	 * @param cipher seals and opens key pairs, as it does tokens
	 * @param keys the names of the hashes
	 * @param availability whether Redis answers: while the store is off Redis, so are the keys, without waiting
	 * for a command to time out
	 * @param timeout how long a command may take
	 */
	public RedisDpopKeyEntries(RedissonReactiveClient redis, TokenCipher cipher, RedisKeys keys,
			RedisAvailability availability, Duration timeout) {
		Assert.notNull(redis, "redis cannot be null");
		Assert.notNull(cipher, "cipher cannot be null");
		Assert.notNull(keys, "keys cannot be null");
		Assert.notNull(availability, "availability cannot be null");
		Assert.notNull(timeout, "timeout cannot be null");
		this.redis = redis;
		this.cipher = cipher;
		this.keys = keys;
		this.availability = availability;
		this.timeout = timeout;
	}

	/**
	 * Reads a registration's current key pair.
	 * @param registrationId the registration
	 * @return the key pair's JSON, or empty while the fleet has none
	 * @throws TamperedValueException (as the error of the result) when the stored value does not open
	 */
	public Mono<String> current(String registrationId) {
		String hash = this.keys.dpopKeys(registrationId);
		return whenAvailable().then(this.redis.<String, String>getMap(hash, StringCodec.INSTANCE)
			.readAllMap()
			.timeout(this.timeout)
			.flatMap((entries) -> {
				String thumbprint = entries.get(CURRENT);
				return (thumbprint != null) ? open(hash, thumbprint, entries) : Mono.empty();
			}));
	}

	/**
	 * Reads one of a registration's key pairs, current or previous.
	 * @param registrationId the registration
	 * @param thumbprint the key's RFC 7638 thumbprint
	 * @return the key pair's JSON, or empty when the fleet no longer has it
	 * @throws TamperedValueException (as the error of the result) when the stored value does not open
	 */
	public Mono<String> find(String registrationId, String thumbprint) {
		String hash = this.keys.dpopKeys(registrationId);
		return whenAvailable().then(this.redis.<String, String>getMap(hash, StringCodec.INSTANCE)
			.get(KEY + thumbprint)
			.timeout(this.timeout)
			.flatMap((sealed) -> open(hash, thumbprint, Map.of(KEY + thumbprint, sealed))));
	}

	/**
	 * Stores a key pair as the registration's current one.
	 * @param registrationId the registration
	 * @param thumbprint the key's RFC 7638 thumbprint
	 * @param jwk the key pair's JSON, private part included
	 * @return completes once stored
	 */
	public Mono<Void> saveCurrent(String registrationId, String thumbprint, String jwk) {
		String hash = this.keys.dpopKeys(registrationId);
		String sealed = Base64.getEncoder()
			.encodeToString(this.cipher.seal(jwk.getBytes(StandardCharsets.UTF_8), aad(hash, thumbprint)));
		return whenAvailable().then(this.redis.getScript(StringCodec.INSTANCE)
			.<Long>eval(RScript.Mode.READ_WRITE, SAVE_CURRENT, RScript.ReturnType.LONG, List.of(hash), thumbprint,
					sealed)
			.timeout(this.timeout)
			.then());
	}

	private Mono<Void> whenAvailable() {
		return Mono.defer(() -> this.availability.shouldTry() ? Mono.empty()
				: Mono.error(new IllegalStateException("Redis does not answer")));
	}

	private Mono<String> open(String hash, String thumbprint, Map<String, String> entries) {
		String sealed = entries.get(KEY + thumbprint);
		if (sealed == null) {
			return Mono.error(new TamperedValueException("The current DPoP key of " + hash + " is missing"));
		}
		return Mono.defer(() -> {
			byte[] bytes;
			try {
				bytes = Base64.getDecoder().decode(sealed);
			}
			catch (IllegalArgumentException ex) {
				return Mono.error(new TamperedValueException("Stored DPoP key is not base64", ex));
			}
			String jwk = new String(this.cipher.open(bytes, aad(hash, thumbprint)), StandardCharsets.UTF_8);
			return this.cipher.isSealedWithAnOldKey(bytes) ? sealAgain(hash, thumbprint, sealed, jwk).thenReturn(jwk)
					: Mono.just(jwk);
		});
	}

	/**
	 * Seals a key pair again with the key that seals now. A token is sealed anew at each renewal, but a key pair
	 * lives until it is rotated: without this, dropping an old encryption key once every token was renewed (as
	 * {@code encryption-keys} advises) would leave the fleet a key pair no instance can open. A failure leaves the
	 * value as it was, for the next read to try again.
	 */
	private Mono<Void> sealAgain(String hash, String thumbprint, String sealed, String jwk) {
		String resealed = Base64.getEncoder()
			.encodeToString(this.cipher.seal(jwk.getBytes(StandardCharsets.UTF_8), aad(hash, thumbprint)));
		return this.redis.getScript(StringCodec.INSTANCE)
			.<Long>eval(RScript.Mode.READ_WRITE, RESEAL, RScript.ReturnType.LONG, List.of(hash), KEY + thumbprint,
					sealed, resealed)
			.timeout(this.timeout)
			.then()
			.onErrorResume((ex) -> {
				logger.warn("Could not encrypt the DPoP key " + thumbprint + " of " + hash
						+ " again with the current encryption key; the next read tries again: " + ex.getMessage());
				return Mono.empty();
			});
	}

	/**
	 * Binds a sealed key pair to its hash and thumbprint: moved anywhere else, it does not open.
	 */
	private static byte[] aad(String hash, String thumbprint) {
		return (hash + '\n' + thumbprint).getBytes(StandardCharsets.UTF_8);
	}

}
