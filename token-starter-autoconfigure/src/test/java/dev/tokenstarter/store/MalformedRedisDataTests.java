package dev.tokenstarter.store;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.util.StringUtils;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;

import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis data no instance wrote, found by {@link RedisStoreFuzzTests} and pinned here: an entry with a version
 * that is not a number or a key of another Redis type is a missing entry, not a Redis failure (which would take the
 * instance off Redis, and with two such keys made it flip between the two modes without pause); an entry with a
 * version but no token is replaced, not compared against forever; a change message
 * that is not a JSON object is ignored like any malformed one; a registration named in a message is logged on one
 * line whatever it holds.
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedRedisDataTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@BeforeEach
	void stubProvider() {
		provider.stubFor(tokenRequest().willReturn(token("PROVIDED", 3600)));
	}

	@Test
	void anEntryWhoseVersionIsNotANumberIsAMissingEntry() {
		instance().run((context) -> {
			RedisKeys keys = context.getBean(RedisKeys.class);
			RedisEntryCodec codec = context.getBean(RedisEntryCodec.class);
			String key = keys.entry("acme", "alice");
			OAuth2AuthorizedClient stored = client(context, "alice", "STORED");
			redis().command("HSET", key, "version", "", "data", codec.encode(key, stored));
			assertThat(tokenOf(context, "alice")).isEqualTo("PROVIDED");
			assertThat(context.getBean(SharedTokenStore.class).isDegraded()).isFalse();
		});
	}

	@Test
	void anEntryWithAVersionButNoTokenIsReplacedByTheNextToken() {
		instance().run((context) -> {
			String key = context.getBean(RedisKeys.class).entry("acme", "carol");
			redis().command("HSET", key, "version", "3");
			assertThat(tokenOf(context, "carol")).isEqualTo("PROVIDED");
			assertThat(redis().command("HGET", key, "data").get(0)).as("the token, shared with the fleet").isNotNull();
		});
	}

	@Test
	void aKeyOfAnotherRedisTypeIsAMissingEntryAndRedisStaysInUse() {
		instance().run((context) -> {
			RedisKeys keys = context.getBean(RedisKeys.class);
			redis().command("SET", keys.entry("acme", "bob"), "x");
			assertThat(tokenOf(context, "bob")).isEqualTo("PROVIDED");
			assertThat(context.getBean(SharedTokenStore.class).isDegraded()).isFalse();
		});
	}

	/**
	 * A removal left for later on a key of another type has nothing of this starter's to remove, then or ever: it
	 * is done with, not tried again every round of write-backs for the life of the instance.
	 */
	@Test
	void aRemovalLeftForLaterOnAKeyOfAnotherRedisTypeIsTriedOnce(CapturedOutput output) {
		instance().run((context) -> {
			redis().command("SET", context.getBean(RedisKeys.class).entry("acme", "dave"), "x");
			RedisAvailability availability = context.getBean(RedisAvailability.class);
			availability.failed("load", new IllegalStateException("connection refused"));
			context.getBean(RedisAuthorizedClientService.class).removeAuthorizedClient("acme", "dave").block();
			availability.succeeded();
			String ignored = "its Redis key holds another type of value";
			await().atMost(Duration.ofSeconds(5))
				.until(() -> StringUtils.countOccurrencesOf(output.getOut(), ignored) == 1);
			await().during(Duration.ofMillis(2500))
				.atMost(Duration.ofSeconds(5))
				.until(() -> StringUtils.countOccurrencesOf(output.getOut(), ignored) == 1);
		});
	}

	@Test
	void aChangeMessageThatIsNotAJsonObjectIsIgnored(CapturedOutput output) {
		instance().run((context) -> {
			TokenManager manager = context.getBean(TokenManager.class);
			RedisKeys keys = context.getBean(RedisKeys.class);
			String principal = manager.token("acme").block(Duration.ofSeconds(30)).authorizedClient().getPrincipalName();
			awaitSubscribed(redis(), keys);
			for (String message : new String[] { "null", "[]", "7", "\"text\"" }) {
				redis().command("PUBLISH", keys.channel(), message);
			}
			String key = keys.entry("acme", principal);
			redis().command("PUBLISH", keys.channel(), "{\"instance\":\"other\",\"registrationId\":\"acme\",\"principal\":\""
					+ principal + "\",\"version\":2,\"data\":\""
					+ context.getBean(RedisEntryCodec.class).encode(key, client(context, principal, "CHANGED")) + "\"}");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(manager.cachedToken("acme").accessToken().getTokenValue())
					.isEqualTo("CHANGED"));
		});
		assertThat(output).contains("Ignoring a malformed token change message").doesNotContain("Exception in thread");
	}

	@Test
	void aRegistrationNamedInAChangeMessageIsLoggedOnOneLine(CapturedOutput output) {
		instance().run((context) -> {
			RedisKeys keys = context.getBean(RedisKeys.class);
			awaitSubscribed(redis(), keys);
			redis().command("PUBLISH", keys.channel(),
					"{\"instance\":\"other\",\"registrationId\":\"acme\\r\\nFORGED\",\"principal\":\"p\",\"data\":\"AAAA\"}");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(output).contains("Ignoring a token change of registration 'acme"));
		});
		assertThat(output).doesNotContain("\nFORGED");
	}

	/**
	 * A message naming a registration no entry can have (a colon in its name) is ignored, removal or save: read
	 * as an entry's name it would stand for another registration's user.
	 */
	@Test
	void aChangeMessageNamingARegistrationWithAColonIsIgnored(CapturedOutput output) {
		instance().run((context) -> {
			RedisKeys keys = context.getBean(RedisKeys.class);
			awaitSubscribed(redis(), keys);
			redis().command("PUBLISH", keys.channel(),
					"{\"instance\":\"other\",\"registrationId\":\"acme:eu\",\"principal\":\"p\"}");
			redis().command("PUBLISH", keys.channel(),
					"{\"instance\":\"other\",\"registrationId\":\"acme:eu\",\"principal\":\"p\",\"data\":\"AAAA\"}");
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output)
				.contains("Ignoring a token change of registration 'acme:eu': must not hold ':'"));
		});
		assertThat(output).doesNotContain("Exception in thread").doesNotContain("IllegalArgumentException");
	}

	private static String tokenOf(ApplicationContext context, String principal) {
		return context.getBean(TokenManager.class)
			.token(TokenKey.forProvider("acme").principal(principal).build())
			.block(Duration.ofSeconds(30))
			.accessToken()
			.getTokenValue();
	}

	private OAuth2AuthorizedClient client(ApplicationContext context, String principal,
			String value) {
		return new OAuth2AuthorizedClient(
				context.getBean(TokenClientRegistrationRepository.class).findByRegistrationId("acme").block(), principal,
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, this.clock.instant(),
						this.clock.instant().plusSeconds(7200)));
	}

	/**
	 * Waits for the instance's subscription to change messages: one published before it is lost.
	 */
	static void awaitSubscribed(RedisServer redis, RedisKeys keys) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !"0".equals(redis.command("PUBSUB", "NUMSUB", keys.channel()).get(1)));
	}

	private ApplicationContextRunner instance() {
		return FleetTestSupport.instance(redis(), provider, this.clock);
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
