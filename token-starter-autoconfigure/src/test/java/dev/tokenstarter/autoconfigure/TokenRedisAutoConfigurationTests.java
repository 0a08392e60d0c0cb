package dev.tokenstarter.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;

import dev.tokenstarter.lock.LocalTokenLock;
import dev.tokenstarter.lock.MasterCheck;
import dev.tokenstarter.lock.RedissonTokenLock;
import dev.tokenstarter.lock.SentinelMasterCheck;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.store.PlaintextTokenCipher;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.store.RedisTokenEvents;
import dev.tokenstarter.store.TokenCipher;
import dev.tokenstarter.test.FleetTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When the Redis store turns on, and what replaces what.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenRedisAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
				TokenRedisAutoConfiguration.class, TokenRedisRequirementsAutoConfiguration.class,
				TokenEngineAutoConfiguration.class))
		.withPropertyValues("token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY);

	/**
	 * A renewal holds the fleet lock for its token request with every retry: a lease that ends sooner lets a
	 * second instance renew the same token at the same time, which a single-session provider answers by ending
	 * the first one's session.
	 */
	@Test
	void aLockLeaseShorterThanARenewalIsWarnedOfNamingTheProvider(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1", "token.store.redis.lock-lease=20s",
					"token.providers.quick.token-uri=http://127.0.0.1:1/token", "token.providers.quick.client-id=q",
					"token.providers.quick.client-secret=s", "token.providers.quick.retry.timeout=10s",
					"token.providers.nomba.token-uri=http://127.0.0.1:1/token", "token.providers.nomba.client-id=n",
					"token.providers.nomba.client-secret=s")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedissonTokenLock.class);
				assertThat(output).contains("token.store.redis.lock-lease (20000 ms) is shorter than a renewal of "
						+ "provider 'nomba' may hold the lock: its retry.timeout (30000 ms)")
					.doesNotContain("provider 'quick'");
			});
	}

	/**
	 * Beside the grant, a renewal under the lock reads the store, saves, reads again after a refused save and,
	 * after an outage, waits for the instances rejoining the fleet: 3 s and 3 s with a 1 s Redis timeout.
	 */
	@Test
	void aLeaseThatCoversTheGrantAndTwoCommandsOnlyIsWarnedOfToo(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1", "token.store.redis.lock-lease=33s",
					"token.providers.acme.token-uri=http://127.0.0.1:1/token", "token.providers.acme.client-id=a",
					"token.providers.acme.client-secret=s")
			.run((context) -> assertThat(output).contains("token.store.redis.lock-lease (33000 ms) is shorter than "
					+ "a renewal of provider 'acme' may hold the lock", "the instances rejoining the fleet (3000 ms)"));
	}

	@Test
	void theDefaultLeaseOutlastsARenewalWithTheDefaultRetries(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1",
					"token.providers.nomba.token-uri=http://127.0.0.1:1/token", "token.providers.nomba.client-id=n",
					"token.providers.nomba.client-secret=s")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedissonTokenLock.class);
				assertThat(output).doesNotContain("token.store.redis.lock-lease");
			});
	}

	@Test
	void withoutARedisConnectionTheStoreStaysInMemory() {
		this.runner.run((context) -> {
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
				.isInstanceOf(InMemoryReactiveOAuth2AuthorizedClientService.class);
			assertThat(context.getBean(TokenLock.class)).isInstanceOf(LocalTokenLock.class);
			assertThat(context).doesNotHaveBean(RedissonClient.class);
		});
	}

	/**
	 * Settings of the Redis store with no Redis found (its connection is, say, the application's own
	 * {@code RedissonClient}): the instance would keep its tokens alone without a word.
	 */
	@Test
	void redisSettingsWithoutARedisConnectionAreWarnedOf(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(context.getBean(TokenLock.class)).isInstanceOf(LocalTokenLock.class);
			assertThat(output).contains("token.store.redis.* is set, but this instance keeps its tokens in its own "
					+ "memory", "Set token.store.type=redis");
		});
	}

	@Test
	void aMemoryStoreWithoutRedisSettingsIsNotWarnedOf(CapturedOutput output) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
			.run((context) -> {
				assertThat(context.getBean(TokenLock.class)).isInstanceOf(LocalTokenLock.class);
				assertThat(output).doesNotContain("token.store.redis.* is set");
			});
	}

	@Test
	void aConfiguredRedisConnectionTurnsTheRedisStoreOn() {
		this.runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1")
			.run(TokenRedisAutoConfigurationTests::assertRedisStore);
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1")
			.run(TokenRedisAutoConfigurationTests::assertRedisStore);
	}

	@Test
	void explicitTypeWins() {
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1", "token.store.type=memory")
			.run((context) -> assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
				.isInstanceOf(InMemoryReactiveOAuth2AuthorizedClientService.class));
		this.runner.withPropertyValues("token.store.type=redis").run(TokenRedisAutoConfigurationTests::assertRedisStore);
	}

	@Test
	void aUsersOwnRedissonClientIsUsed() {
		Config config = new Config();
		config.setLazyInitialization(true);
		config.useSingleServer().setAddress("redis://127.0.0.1:1");
		RedissonClient own = Redisson.create(config);
		try {
			this.runner.withPropertyValues("token.store.type=redis")
				.withBean(RedissonClient.class, () -> own)
				.run((context) -> {
					assertThat(context).hasSingleBean(RedissonClient.class);
					assertThat(context.getBean(RedissonClient.class)).isSameAs(own);
					assertRedisStore(context);
				});
		}
		finally {
			own.shutdown();
		}
	}

	@Test
	void onSentinelTheLockConfirmsItsMasterWithTheSentinels() {
		this.runner
			.withPropertyValues("spring.data.redis.sentinel.master=tokens",
					"spring.data.redis.sentinel.nodes=127.0.0.1:1")
			.run((context) -> {
				assertRedisStore(context);
				assertThat(context.getBean(MasterCheck.class)).isInstanceOf(SentinelMasterCheck.class);
			});
	}

	@Test
	void onASingleServerOrAClusterTheLockHasNoMasterCheck() {
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1")
			.run((context) -> assertThat(context.getBean(MasterCheck.class)).isSameAs(MasterCheck.NONE));
		this.runner.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:1")
			.run((context) -> assertThat(context.getBean(MasterCheck.class)).isSameAs(MasterCheck.NONE));
	}

	@Test
	void aUsersOwnMasterCheckIsUsed() {
		MasterCheck own = (runId) -> Mono.just(true);
		this.runner.withPropertyValues("spring.data.redis.sentinel.master=tokens",
				"spring.data.redis.sentinel.nodes=127.0.0.1:1")
			.withBean(MasterCheck.class, () -> own)
			.run((context) -> assertThat(context.getBean(MasterCheck.class)).isSameAs(own));
	}

	@Test
	void aRedisConnectionWithoutFleetLibrariesFailsStartUpInsteadOfFallingBackToMemory() {
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1")
			.withClassLoader(new FilteredClassLoader(RedissonClient.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("token.store.type")
				.hasMessageContaining("org.redisson:redisson"));
		this.runner.withPropertyValues("token.store.type=redis")
			.withClassLoader(new FilteredClassLoader(DataRedisConnectionDetails.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("spring-boot-starter-data-redis"));
	}

	@Test
	void withoutFleetLibrariesAndAnExplicitMemoryStoreTheApplicationStarts() {
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1", "token.store.type=memory")
			.withClassLoader(new FilteredClassLoader(RedissonClient.class))
			.run((context) -> assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
				.isInstanceOf(InMemoryReactiveOAuth2AuthorizedClientService.class));
	}

	/**
	 * The codec is built at start-up, not by the first token: at a cold start of the fleet every instance waits
	 * for that token, and building the codec's JSON reader and writer in a fresh JVM takes tens of milliseconds.
	 * Redis plays no part in it (none answers here).
	 */
	@Test
	void theStoresCodecWritesAndReadsASampleTokenAtStartUpWithoutRedis() {
		List<String> opened = new CopyOnWriteArrayList<>();
		TokenCipher recording = new TokenCipher() {

			private final TokenCipher plaintext = new PlaintextTokenCipher();

			@Override
			public byte[] seal(byte[] value, byte[] associatedData) {
				return this.plaintext.seal(value, associatedData);
			}

			@Override
			public byte[] open(byte[] sealed, byte[] associatedData) {
				byte[] value = this.plaintext.open(sealed, associatedData);
				opened.add(new String(value, StandardCharsets.UTF_8));
				return value;
			}

		};
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1")
			.withBean(TokenCipher.class, () -> recording)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(opened).singleElement()
						.asString()
						.contains("accessToken", "refreshToken"));
			});
	}

	private static void assertRedisStore(org.springframework.context.ApplicationContext context) {
		assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
			.isInstanceOf(RedisAuthorizedClientService.class);
		assertThat(context.getBean(OAuth2AuthorizedClientService.class)).isNotNull();
		assertThat(context.getBean(TokenLock.class)).isInstanceOf(RedissonTokenLock.class);
		assertThat(context.getBean(RedisTokenEvents.class)).isNotNull();
	}

}
