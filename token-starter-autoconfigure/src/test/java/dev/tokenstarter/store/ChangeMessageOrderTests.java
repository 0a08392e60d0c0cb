package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;

import dev.tokenstarter.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Change messages are applied in the order Redis sent them, although a save's token is opened asynchronously (a
 * DPoP-bound token's key is read from Redis) and a removal is applied at once.
 */
class ChangeMessageOrderTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RedisServer redis = RedisServer.start();

	private final RedisKeys keys = new RedisKeys("order-test:");

	private final List<String> saved = new CopyOnWriteArrayList<>();

	private final List<String> removed = new CopyOnWriteArrayList<>();

	/** Holds the opening of the first message's token until completed. */
	private final CompletableFuture<Void> firstOpened = new CompletableFuture<>();

	private final GatedRegistrations registrations = new GatedRegistrations(this.firstOpened);

	private final RedisEntryCodec entries = new RedisEntryCodec(new AesGcmTokenCipher(SealedValues.TEST_KEYS),
			new AuthorizedClientCodec(), this.registrations);

	private RedissonClient redisson;

	private RedisTokenEvents events;

	@BeforeEach
	void subscribe() {
		Config config = new Config();
		config.useSingleServer().setAddress(this.redis.url());
		this.redisson = Redisson.create(config);
		this.events = new RedisTokenEvents(this.redisson, this.entries, this.keys,
				new RedisAvailability(Duration.ofSeconds(1), Duration.ZERO), "this-instance",
				(client) -> this.saved.add(client.getAccessToken().getTokenValue()),
				(registrationId, principal) -> this.removed.add(principal));
		this.events.start();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.redis.command("PUBSUB", "NUMSUB", this.keys.channel()).get(1).equals("1"));
	}

	@AfterEach
	void stop() {
		this.firstOpened.complete(null);
		if (this.events != null) {
			this.events.stop();
		}
		if (this.redisson != null) {
			this.redisson.shutdown();
		}
		this.redis.close();
	}

	@Test
	void aRemovalThatCameAfterASaveIsNotUndoneByTheSavesTokenOpenedAfterIt() {
		publishSave("user-1", "T-before-sign-out", 1);
		publishRemoval("user-1", 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.removed.contains("user-1"));
		this.firstOpened.complete(null);
		publishSave("user-2", "T-other-user", 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.saved.contains("T-other-user"));
		assertThat(this.saved).as("the signed-out session's token is not taken up").containsExactly("T-other-user");
	}

	@Test
	void aSaveOpenedAfterALaterSaveOfItsEntryDoesNotReplaceIt() {
		publishSave("user-1", "T-older", 1);
		publishSave("user-1", "T-newer", 2);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.saved.contains("T-newer"));
		this.firstOpened.complete(null);
		publishSave("user-2", "T-other-user", 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.saved.contains("T-other-user"));
		assertThat(this.saved).containsExactly("T-newer", "T-other-user");
	}

	@Test
	void aSaveOfAnotherEntryIsTakenUpWhateverCameAfterIt() {
		publishSave("user-1", "T-user-1", 1);
		publishRemoval("user-2", 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.removed.contains("user-2"));
		this.firstOpened.complete(null);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.saved.contains("T-user-1"));
	}

	private void publishSave(String principal, String tokenValue, long version) {
		String entry = this.keys.entry("acme", principal);
		OAuth2AuthorizedClient client = new OAuth2AuthorizedClient(SealedValues.REGISTRATION, principal,
				SealedValues.client(SealedValues.REGISTRATION, tokenValue, Instant.now()).getAccessToken());
		publish(Map.of("instance", "other-instance", "registrationId", "acme", "principal", principal, "version",
				Long.toString(version), "data", this.entries.encode(entry, client)));
	}

	private void publishRemoval(String principal, long version) {
		publish(Map.of("instance", "other-instance", "registrationId", "acme", "principal", principal, "version",
				Long.toString(version)));
	}

	private void publish(Map<String, String> message) {
		this.redis.command("PUBLISH", this.keys.channel(), JSON.writeValueAsString(message));
	}

	/**
	 * Answers the first look-up once the gate opens, and every later one at once: the first message's token is
	 * opened after the messages that follow it.
	 */
	private static final class GatedRegistrations implements ReactiveClientRegistrationRepository {

		private final CompletableFuture<Void> gate;

		private boolean first = true;

		GatedRegistrations(CompletableFuture<Void> gate) {
			this.gate = gate;
		}

		@Override
		public synchronized Mono<ClientRegistration> findByRegistrationId(String registrationId) {
			if (this.first) {
				this.first = false;
				return Mono.fromFuture(this.gate).thenReturn(SealedValues.REGISTRATION);
			}
			return Mono.just(SealedValues.REGISTRATION);
		}

	}

}
