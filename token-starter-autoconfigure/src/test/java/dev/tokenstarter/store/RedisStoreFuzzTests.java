package dev.tokenstarter.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.store.SealedValues.Value;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.Fuzz;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;

import static dev.tokenstarter.test.Fuzz.between;
import static dev.tokenstarter.test.Fuzz.chance;
import static dev.tokenstarter.test.Fuzz.pick;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Entries and change messages no instance of the fleet wrote, in a real {@code redis-server}: a hash with a
 * malformed version or a value that does not open (random, altered, re-keyed, sealed for another entry), a key
 * of another Redis type, a change message of any shape. Such an entry is treated as absent (the token comes from
 * the provider), such a message is ignored, no value opens into a token, and the change-message listener goes
 * on taking the changes of the other instances.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisStoreFuzzTests {

	private static final int TRIES = 150;

	private static final String PROVIDED = "PROVIDED";

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@BeforeEach
	void stubProvider() {
		provider.stubFor(tokenRequest().willReturn(token(PROVIDED, 3600)));
	}

	/**
	 * What a try leaves under an entry's key before the instance reads it.
	 *
	 * @param principal the principal of the key the try asks for, one per try
	 * @param type the Redis type of the key: hash, or a string, list or set in its place
	 * @param version the version field, or null for none
	 * @param value the data field, or null for none
	 */
	private record Planted(String principal, String type, @Nullable String version, @Nullable Value value) {

	}

	@Test
	void anEntryNoInstanceWroteIsTreatedAsAbsent() {
		instance().run((context) -> {
			TokenManager manager = context.getBean(TokenManager.class);
			RedisKeys keys = context.getBean(RedisKeys.class);
			ClientRegistration registration = registration(context.getBean(TokenClientRegistrationRepository.class));
			AtomicInteger principals = new AtomicInteger();
			Gen<Planted> planted = (in) -> {
				// A key of its own for every case generated, shrunk ones included: the engine holds what it read.
				String principal = "p-" + principals.incrementAndGet();
				return new Planted(principal, pick(in, "hash", "hash", "hash", "string", "list", "set"),
						chance(in, 60) ? "1" : pick(in, "0", null, "", "abc", "-1", "1.5", "99999999999999999999", " 1"),
						chance(in, 90) ? SealedValues.draw(in, keys.entry("acme", principal), registration, false) : null);
			};
			Fuzz.theory(TRIES, 100).forAll(planted).checkAssert((entry) -> {
				plant(keys.entry("acme", entry.principal()), entry);
				ManagedToken token = manager.token(TokenKey.forProvider("acme").principal(entry.principal()).build())
					.block(Duration.ofSeconds(30));
				assertThat(token.accessToken().getTokenValue()).isEqualTo(PROVIDED);
			});
		});
	}

	@Test
	void changeMessagesNoInstanceSentAreIgnoredAndTheListenerGoesOn(CapturedOutput output) {
		instance().run((context) -> {
			TokenManager manager = context.getBean(TokenManager.class);
			RedisKeys keys = context.getBean(RedisKeys.class);
			RedisEntryCodec codec = context.getBean(RedisEntryCodec.class);
			ClientRegistration registration = registration(context.getBean(TokenClientRegistrationRepository.class));
			String principal = manager.token("acme").block(Duration.ofSeconds(30)).authorizedClient().getPrincipalName();
			String entryKey = keys.entry("acme", principal);
			MalformedRedisDataTests.awaitSubscribed(redis(), keys);
			Gen<List<String>> messages = (in) -> {
				int count = between(in, 1, 4);
				List<String> drawn = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					drawn.add(message(in, principal, SealedValues.draw(in, entryKey, registration, false)));
				}
				return drawn;
			};
			AtomicInteger tries = new AtomicInteger();
			Fuzz.theory(TRIES, 20).forAll(messages).checkAssert((sent) -> {
				sent.forEach((message) -> redis().command("PUBLISH", keys.channel(), message));
				// Another instance's change, sent after the others: taken only if the listener is still there.
				String canary = "CANARY" + tries.incrementAndGet();
				OAuth2AuthorizedClient changed = new OAuth2AuthorizedClient(registration, principal,
						new OAuth2AccessToken(
								OAuth2AccessToken.TokenType.BEARER, canary,
								this.clock.instant(), this.clock.instant().plusSeconds(3600 + tries.get())));
				redis().command("PUBLISH", keys.channel(), change("other-instance", "acme", principal,
						"\"" + codec.encode(entryKey, changed) + "\""));
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(manager.cachedToken("acme").accessToken().getTokenValue()).isEqualTo(canary));
			});
		});
		assertThat(output).doesNotContain(SealedValues.PLANTED)
			.doesNotContain("\nFORGED")
			.doesNotContainPattern("Exception in|\\tat dev\\.tokenstarter");
	}

	/**
	 * A change message: mostly one that names this instance's entry and carries a value that must not open,
	 * now and then any text or any other shape.
	 */
	private static String message(RandomnessSource in, String principal, Value value) {
		return switch (between(in, 0, 5)) {
			case 0, 1, 2 -> change(pick(in, "other-instance", "", "x"), "acme", principal, quote(value.data()));
			case 3 -> pick(in, "", "null", "[]", "1", "\"x\"", "{", "{}", "true", "x".repeat(5000), "\u0000", "{\"a\":");
			case 4 -> change("other-instance", pick(in, "acme", "unknown", "", "acme\r\nFORGED"),
					pick(in, principal, "nobody", "", "x\nFORGED"),
					pick(in, "1", "null", "{}", "[]", "true", quote(value.data())));
			default -> "{\"instance\":" + pick(in, "1", "null", "[]") + ",\"registrationId\":"
					+ pick(in, "1", "null", "[\"acme\"]", "\"acme\"") + ",\"principal\":"
					+ pick(in, "1", "null", "{}", quote(principal)) + ",\"data\":" + quote(value.data()) + "}";
		};
	}

	private static String change(String instance, String registrationId, String principal, String data) {
		return "{\"instance\":" + quote(instance) + ",\"registrationId\":" + quote(registrationId) + ",\"principal\":"
				+ quote(principal) + ",\"version\":7,\"data\":" + data + "}";
	}

	private static String quote(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n")
			.replace("\u0000", "\\u0000") + "\"";
	}

	private static void plant(String key, Planted entry) {
		switch (entry.type()) {
			case "string" -> redis().command("SET", key, "x");
			case "list" -> redis().command("RPUSH", key, "x");
			case "set" -> redis().command("SADD", key, "x");
			default -> {
				if (entry.version() != null) {
					redis().command("HSET", key, "version", entry.version());
				}
				if (entry.value() != null) {
					redis().command("HSET", key, "data", entry.value().data());
				}
				if (entry.version() == null && entry.value() == null) {
					redis().command("HSET", key, "other", "x");
				}
			}
		}
	}

	private static ClientRegistration registration(TokenClientRegistrationRepository registrations) {
		return registrations.findByRegistrationId("acme").block();
	}

	private ApplicationContextRunner instance() {
		return FleetTestSupport.instance(redis(), provider, this.clock);
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
