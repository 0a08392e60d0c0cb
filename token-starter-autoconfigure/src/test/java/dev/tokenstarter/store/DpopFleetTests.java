package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tokenstarter.autoconfigure.TokenActuatorAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.observe.TokensEndpoint;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.test.DpopAuthorizationServer;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.Threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A fleet on one real Redis shares a DPoP provider's key pair and token, against Spring Authorization Server and a
 * Spring Security resource server that bind tokens to the proof's key and accept a call only with a proof of the
 * token's key. The verdicts are the servers' (what they answered, which key the accepted tokens named) and Redis's
 * raw content.
 */
class DpopFleetTests {

	private static final String P = "token.providers.sas.";

	private static final String API = "/api/accounts";

	private static final String KEYS = "token-starter:dpop-keys:sas";

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private static DpopAuthorizationServer server;

	@BeforeAll
	static void start() {
		server = DpopAuthorizationServer.start();
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@BeforeEach
	void reset() {
		server.reset();
	}

	@Test
	void twoInstancesMakeOneKeyAndOneTokenRequestAndBothSendProofsOfThatKey() throws Exception {
		ApplicationContextRunner instance = instance();
		instance.run((first) -> instance.run((second) -> {
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				calls.add(() -> call(first));
				calls.add(() -> call(second));
			}
			assertThat(Threads.runTogether(calls)).hasSize(20)
				.containsOnly("accounts of " + DpopAuthorizationServer.CLIENT_ID);
			assertThat(server.tokenAnswers()).containsExactly(200);
			String jkt = currentThumbprint();
			assertThat(storedThumbprints()).containsExactly(jkt);
			assertThat(server.acceptedKeys()).hasSize(20).containsOnly(jkt);
			assertThat(tokenValue(first)).isEqualTo(tokenValue(second));
		}));
	}

	@Test
	void theKeyPairIsSealedInRedisAndHoldsNoPrivateKeyMaterialInClear() throws Exception {
		instance().run((context) -> {
			call(context);
			String jkt = currentThumbprint();
			String stored = hash().get("key:" + jkt);
			byte[] sealed = Base64.getDecoder().decode(stored);
			// What the fleet shares is the key pair: opened with the store's key, it is the key of the tokens.
			String opened = new String(new AesGcmTokenCipher(SealedValues.TEST_KEYS).open(sealed,
					(KEYS + "\n" + jkt).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
			ECKey key = JWK.parse(opened).toECKey();
			assertThat(key.isPrivate()).isTrue();
			assertThat(key.computeThumbprint().toString()).isEqualTo(jkt);
			String d = key.getD().toString();
			byte[] dBytes = key.getD().decode();
			String raw = String.join("\n", redis().command("HGETALL", KEYS));
			assertThat(raw).doesNotContain(d).doesNotContain("\"d\"").doesNotContain("kty");
			assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(d)
				.doesNotContain("\"d\"")
				.doesNotContain("kty")
				.doesNotContain(new String(dBytes, StandardCharsets.ISO_8859_1));
			assertThat(raw).doesNotContain(Base64.getEncoder().encodeToString(dBytes).substring(0, 12));
		});
	}

	/**
	 * The store's encryption keys rotate as {@code encryption-keys} advises: a new key first, then the old one
	 * dropped once the tokens were renewed. The fleet's key pair, which is not renewed, must open after that too.
	 */
	@Test
	void theKeyPairOutlivesTheEncryptionKeyItWasFirstSealedWith() {
		byte[] newKeyBytes = new byte[32];
		Arrays.fill(newKeyBytes, (byte) 7);
		String newKey = "k2:" + Base64.getEncoder().encodeToString(newKeyBytes);
		instance().run(DpopFleetTests::call);
		String jkt = currentThumbprint();

		instance().withPropertyValues("token.store.redis.encryption-keys=" + newKey + "," + FleetTestSupport.TEST_KEY)
			.run(DpopFleetTests::call);
		byte[] sealed = Base64.getDecoder().decode(hash().get("key:" + jkt));
		assertThat(new AesGcmTokenCipher(Map.of("k2", new SecretKeySpec(newKeyBytes, "AES")))
			.open(sealed, (KEYS + "\n" + jkt).getBytes(StandardCharsets.UTF_8))).isNotEmpty();

		instance().withPropertyValues("token.store.redis.encryption-keys=" + newKey).run((context) -> {
			assertThat(call(context)).isEqualTo("accounts of " + DpopAuthorizationServer.CLIENT_ID);
			assertThat(currentThumbprint()).isEqualTo(jkt);
			assertThat(server.acceptedKeys()).containsOnly(jkt);
		});
	}

	@Test
	void aRotationGivesTheFleetANewKeyAndTokenWhichEveryInstanceThenSends() {
		ApplicationContextRunner instance = instance();
		instance.run((first) -> instance.run((second) -> {
			call(first);
			call(second);
			String oldKey = currentThumbprint();
			String oldToken = tokenValue(first);

			first.getBean(TokensEndpoint.class).rotate("sas", "dpop-key");

			String newKey = currentThumbprint();
			assertThat(newKey).isNotEqualTo(oldKey);
			assertThat(storedThumbprints()).containsExactlyInAnyOrder(oldKey, newKey);
			assertThat(server.tokenAnswers()).containsExactly(200, 200);
			String newToken = tokenValue(first);
			assertThat(newToken).isNotEqualTo(oldToken);
			await().atMost(Duration.ofSeconds(5)).until(() -> newToken.equals(tokenValue(second)));
			server.reset();
			for (int i = 0; i < 5; i++) {
				call(first);
				call(second);
			}
			assertThat(server.apiAnswers()).hasSize(10).containsOnly("200");
			assertThat(server.acceptedKeys()).hasSize(10).containsOnly(newKey);
			assertThat(server.tokenAnswers()).isEmpty();
		}));
	}

	@Test
	void aRestartedInstanceReusesTheFleetsKeyForTheStoredTokenAndForItsNextTokenRequest() {
		instance().run(DpopFleetTests::call);
		String jkt = currentThumbprint();
		instance().run((restarted) -> {
			call(restarted);
			assertThat(server.tokenAnswers()).containsExactly(200);
			restarted.getBean(TokenManager.class).refresh("sas").block();
			call(restarted);
			assertThat(server.tokenAnswers()).containsExactly(200, 200);
			assertThat(server.acceptedKeys()).containsExactly(jkt, jkt, jkt);
			assertThat(storedThumbprints()).containsExactly(jkt);
		});
	}

	@Test
	void aTokenBoundToThePreviousKeyIsSentWithItUntilATokenOfTheNewKeyReplacesIt() {
		instance().run((first) -> {
			call(first);
			// A rotation whose token request has not happened yet: the fleet's key is new, its token is not.
			first.getBean(DpopKeys.class).rotate("sas").block();
		});
		String current = currentThumbprint();
		assertThat(storedThumbprints()).hasSize(2).contains(current);
		String previous = storedThumbprints().stream().filter((jkt) -> !jkt.equals(current)).findFirst().get();
		assertThat(server.acceptedKeys()).containsExactly(previous);
		server.reset();
		instance().run((restarted) -> {
			call(restarted);
			restarted.getBean(TokenManager.class).refresh("sas").block();
			call(restarted);
			assertThat(server.tokenAnswers()).containsExactly(200);
			assertThat(server.apiAnswers()).containsExactly("200", "200");
			assertThat(server.acceptedKeys()).containsExactly(previous, current);
		});
	}

	@Test
	void theStoreKeepsTheCurrentKeyAndThePreviousOneOnly() {
		instance().run((context) -> {
			DpopKeys keys = context.getBean(DpopKeys.class);
			String first = keys.current("sas").block().thumbprint();
			String second = keys.rotate("sas").block().thumbprint();
			String third = keys.rotate("sas").block().thumbprint();
			assertThat(currentThumbprint()).isEqualTo(third);
			assertThat(storedThumbprints()).containsExactlyInAnyOrder(second, third).doesNotContain(first);
			assertThat(keys.current("sas").block().thumbprint()).isEqualTo(third);
		});
	}

	@Test
	void aStoredTokenWhoseKeyTheFleetNoLongerHasIsNotSentButRenewed() {
		instance().run(DpopFleetTests::call);
		String lost = currentThumbprint();
		redis().command("DEL", KEYS);
		instance().run((restarted) -> {
			call(restarted);
			String jkt = currentThumbprint();
			assertThat(jkt).isNotEqualTo(lost);
			assertThat(server.tokenAnswers()).containsExactly(200, 200);
			assertThat(server.acceptedKeys()).containsExactly(lost, jkt);
			assertThat(server.apiAnswers()).containsExactly("200", "200");
		});
	}

	@Test
	void aKeyPairThatDoesNotOpenIsNeitherUsedNorReplaced() {
		instance().run(DpopFleetTests::call);
		String jkt = currentThumbprint();
		// The key pair sealed for another provider's hash, as a copy between entries would leave it.
		AesGcmTokenCipher cipher = new AesGcmTokenCipher(SealedValues.TEST_KEYS);
		byte[] pair = cipher.open(Base64.getDecoder().decode(hash().get("key:" + jkt)),
				(KEYS + "\n" + jkt).getBytes(StandardCharsets.UTF_8));
		byte[] elsewhere = ("token-starter:dpop-keys:other\n" + jkt).getBytes(StandardCharsets.UTF_8);
		redis().command("HSET", KEYS, "key:" + jkt, Base64.getEncoder().encodeToString(cipher.seal(pair, elsewhere)));
		String tampered = hash().get("key:" + jkt);
		instance().run((restarted) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> restarted.getBean(TokenManager.class).token("sas").block())
				.withMessageContaining("'sas'");
			assertThat(server.tokenAnswers()).containsExactly(200);
			assertThat(server.acceptedKeys()).containsExactly(jkt);
			assertThat(hash()).containsEntry("current", jkt).containsEntry("key:" + jkt, tampered);
		});
	}

	@Test
	void whileRedisIsDownTokenRequestsAreSignedWithTheKeyReadLast() {
		instance().withPropertyValues("token.store.redis.timeout=300ms").run((context) -> {
			call(context);
			String jkt = currentThumbprint();
			redis().kill();
			try {
				context.getBean(TokenManager.class).refresh("sas").block();
				call(context);
			}
			finally {
				redis().restart();
			}
			assertThat(server.tokenAnswers()).containsExactly(200, 200);
			assertThat(server.apiAnswers()).containsExactly("200", "200");
			assertThat(server.acceptedKeys()).containsExactly(jkt, jkt);
		});
	}

	@Test
	void anInstanceStartedWhileRedisIsDownSignsWithAKeyOfItsOwnWhichItNeverSharesThenTakesUpTheFleetsKey() {
		redis().kill();
		try {
			instance().withPropertyValues("token.store.redis.timeout=300ms").run((cutOff) -> {
				assertThat(call(cutOff)).isEqualTo("accounts of " + DpopAuthorizationServer.CLIENT_ID);
				String own = server.acceptedKeys().get(0);
				redis().restart();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> !cutOff.getBean(SharedTokenStore.class).isDegraded());
				// The next token request is signed with the fleet's key, created now; the token of the instance's own
				// key was not written back when Redis answered (its key never reached the fleet's hash), so the one
				// obtained now is the only one stored.
				cutOff.getBean(TokenManager.class).refresh("sas").block();
				call(cutOff);
				String fleet = currentThumbprint();
				assertThat(fleet).isNotNull().isNotEqualTo(own);
				assertThat(storedThumbprints()).containsExactly(fleet);
				assertThat(redis().entriesHoldingTokens("token-starter:client:sas:*")).hasSize(1);
				// That token is the fleet's: another instance sends it with the fleet's key.
				instance().run((second) -> {
					call(second);
					assertThat(tokenValue(second)).isEqualTo(tokenValue(cutOff));
				});
				assertThat(server.tokenAnswers()).containsExactly(200, 200);
				assertThat(server.apiAnswers()).containsExactly("200", "200", "200");
				assertThat(server.acceptedKeys()).containsExactly(own, fleet, fleet);
			});
		}
		finally {
			restartIfDown();
		}
	}

	@Test
	void aSingleSessionInstanceStartedWhileRedisIsDownDoesNotTakeTheSessionWithAKeyTheFleetCannotHave() {
		ApplicationContextRunner singleSession = instance().withPropertyValues(P + "sessions=single",
				"token.store.redis.timeout=300ms");
		redis().kill();
		try {
			singleSession.run((cutOff) -> {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> cutOff.getBean(TokenManager.class).token("sas").block())
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(TokenManager.COORDINATION_LOST))
					.satisfies((ex) -> assertThat(ex.isTransientFailure()).isTrue());
				assertThat(server.tokenAnswers()).isEmpty();
				redis().restart();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> !cutOff.getBean(SharedTokenStore.class).isDegraded());
				call(cutOff);
				assertThat(server.tokenAnswers()).containsExactly(200);
				assertThat(server.acceptedKeys()).containsExactly(currentThumbprint());
			});
		}
		finally {
			restartIfDown();
		}
	}

	private static ApplicationContextRunner instance() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class, TokenEngineAutoConfiguration.class,
					TokenClientsAutoConfiguration.class, TokenActuatorAutoConfiguration.class))
			// The servers check the proofs' iat against the time of day.
			.withBean(Clock.class, Clock::systemUTC)
			.withPropertyValues(P + "token-uri=" + server.tokenUri(),
					P + "client-id=" + DpopAuthorizationServer.CLIENT_ID,
					P + "client-secret=" + DpopAuthorizationServer.CLIENT_SECRET, P + "scopes=accounts",
					P + "base-url=" + server.baseUrl(), P + "dpop.enabled=true", P + "retry.max-attempts=1",
					"token.scheduler.enabled=false", "spring.data.redis.url=" + redis().url(),
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY,
					"token.defaults.refresh.max-caller-wait=30s", "management.endpoints.web.exposure.include=tokens");
	}

	private static String call(ApplicationContext context) {
		return context.getBean(TokenClients.class).restClient("sas").get().uri(API).retrieve().body(String.class);
	}

	private static String tokenValue(ApplicationContext context) {
		return context.getBean(TokenManager.class).cachedToken("sas").accessToken().getTokenValue();
	}

	private static String currentThumbprint() {
		return hash().get("current");
	}

	private static List<String> storedThumbprints() {
		return hash().keySet()
			.stream()
			.filter((field) -> field.startsWith("key:"))
			.map((field) -> field.substring("key:".length()))
			.toList();
	}

	private static Map<String, String> hash() {
		List<String> flat = redis().command("HGETALL", KEYS);
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			fields.put(flat.get(i), flat.get(i + 1));
		}
		return fields;
	}

	private static void restartIfDown() {
		try {
			redis().command("PING");
		}
		catch (IllegalStateException down) {
			redis().restart();
		}
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
