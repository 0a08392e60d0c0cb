package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.OtherRedisCommands;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.SlowReadsProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tokens an instance keeps to write back because Redis did not answer their save in time, though it answered the
 * instance's other commands: what happens to them when another instance removes the entry meanwhile.
 */
class ParkedWriteBackTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final String ENTRY = "token-starter:client:acme:alice";

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	/**
	 * A save answered too late is kept to write back; another instance then ends the user's session (a sign-out
	 * removes the entry and says so): the kept token is not written back over the removal.
	 */
	@Test
	void aTokenKeptToWriteBackIsDroppedWhenAnotherInstanceRemovesItsEntry() {
		keptTokenThenRemovedElsewhere(true);
	}

	/**
	 * As above, with the removal's change message lost on its way to the instance keeping the token (a
	 * subscription lost, a message dropped): the store's trace of the removal is what the write-back finds.
	 */
	@Test
	void aTokenKeptToWriteBackIsDroppedWhenAnotherInstanceRemovesItsEntryWithoutTellingIt() {
		keptTokenThenRemovedElsewhere(false);
	}

	private void keptTokenThenRemovedElsewhere(boolean toldOfTheRemoval) {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(),
				(command) -> command.contains("EVAL") && command.contains(ENTRY))) {
			ApplicationContextRunner direct = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
			// A timeout long beside the other commands' 50 ms period: on a loaded machine they still answer within it.
			ApplicationContextRunner slowSaves = FleetTestSupport
				.instance(provider, this.clock, "spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=1s");
			direct.run((signingOut) -> slowSaves.run((slow) -> {
				TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
				ClientRegistration registration = slow.getBean(ReactiveClientRegistrationRepository.class)
					.findByRegistrationId("acme")
					.block(BOUND);
				RedisAuthorizedClientService slowStore = slow.getBean(RedisAuthorizedClientService.class);
				RedisAvailability availability = slow.getBean(RedisAvailability.class);
				try (OtherRedisCommands others = OtherRedisCommands.answeredFor(redisServer.server().url(),
						availability)) {
					await().until(() -> !availability.isDegraded() && availability.shouldTry());
					proxy.slowDown(Duration.ofMillis(2500));
					slowStore.saveAuthorizedClient(client(registration, "T1"), alice).block(BOUND);
					assertThat(availability.isDegraded()).as("a slow answer is no outage").isFalse();
					proxy.slowDown(Duration.ZERO);
					await().atMost(BOUND).until(() -> redisServer.server().entriesHoldingTokens(ENTRY).size() == 1);
					if (!toldOfTheRemoval) {
						FleetTestSupport.stopHearingChanges(slow);
					}

					signingOut.getBean(RedisAuthorizedClientService.class)
						.removeAuthorizedClient("acme", "alice")
						.block(BOUND);
					assertThat(redisServer.server().entriesHoldingTokens(ENTRY)).isEmpty();
					// The removal's change message, if sent, reaches the slow instance before its next read.
					await().pollDelay(Duration.ofMillis(500)).until(() -> true);

					assertThat(slowStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
						.isNull();
					assertThat(redisServer.server().entriesHoldingTokens(ENTRY)).isEmpty();
				}
			}));
		}
	}

	private OAuth2AuthorizedClient client(ClientRegistration registration, String value) {
		Instant now = this.clock.instant();
		return new OAuth2AuthorizedClient(registration, "alice",
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plusSeconds(300)),
				new OAuth2RefreshToken("R-" + value, now));
	}

}
