package dev.tokenstarter.store;

import java.util.Base64;
import java.util.List;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static dev.tokenstarter.test.TokenStubs.tokenWithRefresh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens at rest in Redis: never in plain text, readable across a key rotation, and a tampered value is never
 * returned.
 */
class RedisStoreEncryptionTests {

	private static final String ACCESS = "ACCESS-canary-7f3a";

	private static final String REFRESH = "REFRESH-canary-9b2c";

	private static final String OTHER_KEY = "k2:" + Base64.getEncoder().encodeToString(new byte[] { 1, 2, 3, 4, 5,
			6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 });

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@BeforeEach
	void stubProvider() {
		provider.stubFor(tokenRequest().inScenario("tokens")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(tokenWithRefresh(ACCESS, 300, REFRESH))
			.willSetStateTo("second"));
		provider.stubFor(tokenRequest().inScenario("tokens")
			.whenScenarioStateIs("second")
			.willReturn(tokenWithRefresh("SECOND", 300, "R2")));
	}

	@Test
	void rawRedisValuesHoldNoTokenOrSecretInPlainText() {
		runner().run((context) -> {
			context.getBean(TokenManager.class).token("acme").block();
			String raw = String.join("\n", dump());
			assertThat(raw).isNotBlank()
				.doesNotContain(ACCESS)
				.doesNotContain(REFRESH)
				.doesNotContain("secret-acme")
				.doesNotContain(base64(ACCESS));
		});
	}

	@Test
	void aValueSealedWithAnOldKeyIsStillReadAfterRotation() {
		runner().run((context) -> context.getBean(TokenManager.class).token("acme").block());
		runner().withPropertyValues("token.store.redis.encryption-keys=" + OTHER_KEY + "," + FleetTestSupport.TEST_KEY)
			.run((context) -> {
				assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
					.isEqualTo(ACCESS);
				assertThat(count(provider, tokenRequests())).isEqualTo(1);
			});
	}

	@Test
	void aTamperedValueIsTreatedAsAbsentAndNeverReturned() {
		runner().run((context) -> context.getBean(TokenManager.class).token("acme").block());
		String key = redis().entriesHoldingTokens("token-starter:client:*").get(0);
		byte[] sealed = Base64.getDecoder().decode(redis().command("HGET", key, "data").get(0));
		sealed[sealed.length - 1] ^= 0x01;
		redis().command("HSET", key, "data", Base64.getEncoder().encodeToString(sealed));
		runner().run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("SECOND");
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void aValueWrittenWithAKeyThatIsNoLongerConfiguredIsTreatedAsAbsent() {
		runner().run((context) -> context.getBean(TokenManager.class).token("acme").block());
		runner().withPropertyValues("token.store.redis.encryption-keys=" + OTHER_KEY).run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
				.isEqualTo("SECOND");
		});
	}

	@Test
	void withoutAKeyStartupFailsSayingHowToMakeOne() {
		runner().withPropertyValues("token.store.redis.encryption-keys=").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(TokenConfigurationException.class)
				.hasMessageContaining("token.store.redis.encryption-keys is required")
				.hasMessageContaining("openssl rand -base64 32")
				.hasMessageContaining("token.store.redis.encryption=false");
		});
	}

	@Test
	void aMalformedKeyFailsStartupNamingTheEntryButNotItsValue() {
		runner().withPropertyValues("token.store.redis.encryption-keys=k1:c2hvcnQ=").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("token.store.redis.encryption-keys[0]")
				.hasMessageContaining("must be 32 bytes")
				.hasMessageNotContaining("c2hvcnQ=");
		});
	}

	@Test
	void encryptionCanBeSwitchedOffExplicitly() {
		runner().withPropertyValues("token.store.redis.encryption-keys=", "token.store.redis.encryption=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TokenManager.class).token("acme").block().accessToken().getTokenValue())
					.isEqualTo(ACCESS);
			});
	}

	private ApplicationContextRunner runner() {
		return FleetTestSupport.instance(redis(), provider, this.clock);
	}

	private static List<String> dump() {
		return redis().command("KEYS", "*")
			.stream()
			.flatMap((key) -> redis().command("HGETALL", key).stream())
			.toList();
	}

	private static String base64(String value) {
		return Base64.getEncoder().encodeToString(value.getBytes()).substring(0, 12);
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
