package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.Comparator;

import org.apache.commons.logging.LogFactory;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.StoredTokenListener;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.DpopFleetKeys;
import dev.tokenstarter.grant.DpopTokenBindings;
import dev.tokenstarter.lock.MasterCheck;
import dev.tokenstarter.lock.RedissonTokenLock;
import dev.tokenstarter.lock.SentinelMasterCheck;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.observe.CompositeTokenObserver;
import dev.tokenstarter.store.AesGcmTokenCipher;
import dev.tokenstarter.store.AuthorizedClientCodec;
import dev.tokenstarter.store.EncryptionKeys;
import dev.tokenstarter.ssl.DpopKeyStore;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.store.PlaintextTokenCipher;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisAvailabilityProbe;
import dev.tokenstarter.store.RedisDpopKeyEntries;
import dev.tokenstarter.store.RedisEntryCodec;
import dev.tokenstarter.store.RedisKeys;
import dev.tokenstarter.store.RedisTokenEvents;
import dev.tokenstarter.store.TokenCipher;
import dev.tokenstarter.store.TokenKeyBindings;

/**
 * Fleet mode: authorized clients in Redis, encrypted at rest, shared by every instance; a lock in Redis so one
 * instance renews at a time; change messages that keep every instance's near cache current; the DPoP key pairs
 * of DPoP providers, shared like their tokens. Active when
 * {@code token.store.type=redis}, or when it is unset and {@code spring.data.redis.*} configures a connection.
 * Runs before the engine so that the engine's local lock backs off. The Redis store itself is in
 * {@link TokenStoreConfigurations.Redis}, defined ahead of Spring Boot's in-memory services when Boot would build
 * them.
 */
@AutoConfiguration(before = TokenEngineAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedissonClient.class, DataRedisConnectionDetails.class, ClientRegistration.class,
		WebClient.class })
@Conditional(OnRedisTokenStoreCondition.class)
@EnableConfigurationProperties({ TokenProperties.class, DataRedisProperties.class })
public final class TokenRedisAutoConfiguration {

	@Bean(destroyMethod = "shutdown")
	@ConditionalOnMissingBean
	RedissonClient tokenRedissonClient(DataRedisConnectionDetails connectionDetails,
			DataRedisProperties redisProperties, TokenProperties properties) {
		return Redisson.create(
				RedissonConfigFactory.create(connectionDetails, redisProperties, properties.getStore().getRedis()));
	}

	@Bean
	@ConditionalOnMissingBean
	RedisKeys tokenRedisKeys(TokenProperties properties) {
		return new RedisKeys(properties.getStore().getRedis().getKeyPrefix());
	}

	@Bean
	@ConditionalOnMissingBean
	RedisAvailability tokenRedisAvailability(TokenProperties properties) {
		TokenProperties.Redis redis = properties.getStore().getRedis();
		return new RedisAvailability(redis.getRetryInterval(), redis.getTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	TokenCipher tokenCipher(TokenProperties properties) {
		TokenProperties.Redis redis = properties.getStore().getRedis();
		if (!redis.isEncryption()) {
			LogFactory.getLog(TokenRedisAutoConfiguration.class)
				.warn("token.store.redis.encryption=false: tokens are stored in Redis unencrypted");
			return new PlaintextTokenCipher();
		}
		return new AesGcmTokenCipher(EncryptionKeys.parse(redis.getEncryptionKeys()));
	}

	@Bean
	@ConditionalOnMissingBean
	RedisEntryCodec tokenRedisEntryCodec(TokenCipher cipher, TokenClientRegistrationRepository registrations,
			ObjectProvider<DpopKeys> dpopKeys) {
		DpopKeys keys = dpopKeys.getIfAvailable();
		return new RedisEntryCodec(cipher, new AuthorizedClientCodec(), registrations,
				(keys != null) ? new DpopTokenBindings(keys) : TokenKeyBindings.NONE);
	}

	/**
	 * The providers' DPoP key pairs, shared by the fleet and sealed like tokens. The lock is looked up when a key
	 * is first created, not now: it is built with the observers, which may need the store.
	 */
	@Bean
	@ConditionalOnMissingBean
	DpopKeyStore tokenDpopKeyStore(RedissonClient redisson, TokenCipher cipher, RedisKeys keys,
			RedisAvailability availability, TokenProperties properties, ObjectProvider<TokenLock> lock) {
		return new DpopFleetKeys(new RedisDpopKeyEntries(redisson.reactive(), cipher, keys, availability,
				properties.getStore().getRedis().getTimeout()), (name, work) -> lock.getObject().withLock(name, work));
	}

	@Bean
	@ConditionalOnMissingBean(TokenLock.class)
	RedissonTokenLock tokenLock(RedissonClient redisson, RedisKeys keys, RedisAvailability availability,
			TokenProperties properties, TokenSettings settings, MasterCheck masterCheck,
			ObjectProvider<TokenObserver> observers) {
		TokenProperties.Redis redis = properties.getStore().getRedis();
		RedissonTokenLock lock = new RedissonTokenLock(redisson.reactive(), keys, availability, redis.getLockWait(),
				redis.getLockLease(), redis.getTimeout(), CompositeTokenObserver.of(observers.orderedStream().toList()));
		warnOfALeaseShorterThanARenewal(redis, settings, lock.rejoinTime());
		lock.setMasterCheck(masterCheck);
		return lock;
	}

	/**
	 * A renewal holds the lock while it reads the store, after an outage waits for the instances rejoining the
	 * fleet to write back what they obtained (up to the lock's {@link RedissonTokenLock#rejoinTime()}), asks the
	 * provider (with every retry, up to the provider's {@code retry.timeout}), saves, and reads again when the save
	 * is refused: a lease that ends sooner lets another instance renew the same token meanwhile. That costs a second
	 * token request, and for a provider that keeps one session per client, or takes a refresh token presented twice
	 * for a stolen one, the session the first renewal obtained. Only a warning: a short lease is also how a fleet
	 * bounds the time a hung holder blocks the others.
	 */
	private static void warnOfALeaseShorterThanARenewal(TokenProperties.Redis redis, TokenSettings settings,
			Duration rejoinTime) {
		Duration lease = redis.getLockLease();
		Duration besideTheGrant = redis.getTimeout().multipliedBy(3).plus(rejoinTime);
		settings.providers()
			.stream()
			.filter((provider) -> lease.compareTo(provider.retry().timeout().plus(besideTheGrant)) < 0)
			.max(Comparator.comparing((ProviderSettings provider) -> provider.retry().timeout()))
			.ifPresent((provider) -> LogFactory.getLog(TokenRedisAutoConfiguration.class)
				.warn("token.store.redis.lock-lease (" + lease.toMillis() + " ms) is shorter than a renewal of "
						+ "provider '" + provider.registrationId() + "' may hold the lock: its retry.timeout ("
						+ provider.retry().timeout().toMillis() + " ms), three Redis commands (token.store.redis"
						+ ".timeout, " + redis.getTimeout().toMillis() + " ms each) and, after an outage, the wait for "
						+ "the instances rejoining the fleet (" + rejoinTime.toMillis() + " ms). A renewal that "
						+ "outlasts the lease lets another instance renew the same token at the same time: a second "
						+ "token request, and for a single-session provider or a rotated refresh token, the first "
						+ "renewal's session"));
	}

	/**
	 * How the fleet lock confirms that the server granting it is the master: with the sentinels on Sentinel (the
	 * master named in {@code spring.data.redis.sentinel.master}), not at all on a single server or a Cluster. An
	 * application's own {@code RedissonClient} in Sentinel mode without that property gets no check unless it
	 * declares a {@link SentinelMasterCheck} bean.
	 */
	@Bean
	@ConditionalOnMissingBean
	MasterCheck tokenLockMasterCheck(RedissonClient redisson,
			ObjectProvider<DataRedisConnectionDetails> connectionDetails, TokenProperties properties) {
		DataRedisConnectionDetails details = connectionDetails.getIfAvailable();
		DataRedisConnectionDetails.Sentinel sentinel = (details != null) ? details.getSentinel() : null;
		if (sentinel == null || !redisson.getConfig().isSentinelConfig()) {
			return MasterCheck.NONE;
		}
		return new SentinelMasterCheck(redisson, sentinel.getMaster(), properties.getStore().getRedis().getTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	RedisAvailabilityProbe tokenRedisAvailabilityProbe(RedissonClient redisson, RedisKeys keys,
			RedisAvailability availability, TokenProperties properties) {
		TokenProperties.Redis redis = properties.getStore().getRedis();
		return new RedisAvailabilityProbe(redisson, keys, availability, redis.getRetryInterval(), redis.getTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	RedisTokenEvents tokenRedisEvents(RedissonClient redisson, RedisEntryCodec entries, RedisKeys keys,
			RedisAvailability availability, ObjectProvider<StoredTokenListener> listener,
			ObjectProvider<RedisAuthorizedClientService> store) {
		return new RedisTokenEvents(redisson, entries, keys, availability, instanceId(redisson),
				(client) -> listener.ifAvailable((engine) -> engine.accept(client)),
				(registrationId, principal) -> listener
					.ifAvailable((engine) -> engine.forget(registrationId, principal)),
				store.getIfAvailable());
	}

	/**
	 * Tells this instance's change messages from the others': each application has its own Redisson client.
	 */
	static String instanceId(RedissonClient redisson) {
		return redisson.getId();
	}

}
