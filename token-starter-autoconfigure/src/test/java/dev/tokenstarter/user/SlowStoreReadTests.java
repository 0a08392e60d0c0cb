package dev.tokenstarter.user;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.OtherRedisCommands;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.SlowReadsProxy;
import dev.tokenstarter.test.Wso2UserSessions;

import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A store read that times out while Redis answers the instance's other commands says nothing about what is
 * stored. An instance without the user's password that read it as "nothing stored" told the user to sign in again
 * (seen in the users' fleet harness on a loaded machine) although the user's token was in Redis all along.
 */
class SlowStoreReadTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final String PROVIDER = "wso2";

	private static final String ALICE = "alice";

	private static final String PASSWORD = "alice-pa55-never-stored";

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	private final Wso2UserSessions wso2 = new Wso2UserSessions(Map.of(ALICE, PASSWORD), Duration.ofHours(1),
			this.clock);

	@RegisterExtension
	final WireMockExtension provider = this.wso2.server();

	@BeforeEach
	void stubProvider() {
		this.wso2.stubOn(this.provider, Duration.ZERO);
	}

	@Test
	void aUsersTokenReadTooSlowlyFailsTheCallInsteadOfAskingTheUserToSignIn() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(),
				(command) -> command.contains("HGETALL") && command.contains(":" + ALICE))) {
			ApplicationContextRunner signedIn = instance("spring.data.redis.url=" + redisServer.server().url());
			// A timeout long beside the other reads' 50 ms period: on a loaded machine they still answer within it.
			ApplicationContextRunner slowReads = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=1s", "token.defaults.refresh.failure-cooldown=0s");
			signedIn.run((a) -> slowReads.run((b) -> {
				TokenKey key = a.getBean(ReactiveUserTokens.class).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
				// Redis answers the instance's other commands on time meanwhile.
				RedisAvailability availability = b.getBean(RedisAvailability.class);
				Throwable failure;
				try (OtherRedisCommands others = OtherRedisCommands.answeredFor(redisServer.server().url(),
						availability)) {
					await().until(() -> !availability.isDegraded() && availability.shouldTry());
					proxy.slowDown(Duration.ofMillis(2500));
					failure = catchThrowable(() -> call(b, key));
				}

				assertThat(failure).isInstanceOf(TokenAcquisitionException.class)
					.isNotInstanceOf(SignInRequiredException.class);
				assertThat(((TokenAcquisitionException) failure).isTransientFailure()).isTrue();
				// Redis answered the other reads: a slow read is no outage.
				assertThat(availability.isDegraded()).isFalse();
				proxy.slowDown(Duration.ZERO);
				await().atMost(BOUND).ignoreExceptions().until(() -> ALICE.equals(call(b, key)));
				assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
			}));
		}
	}

	@Test
	void aUsersTokenThatAnInstanceCutOffFromRedisCannotReadIsNoSignInRequestEither() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner signedIn = instance("spring.data.redis.url=" + redisServer.server().url());
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms", "token.store.redis.retry-interval=200ms",
						"token.defaults.refresh.failure-cooldown=0s");
			signedIn.run((a) -> cutOff.run((b) -> {
				TokenKey key = a.getBean(ReactiveUserTokens.class).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
				// Redis answers nothing this instance asks, and has not for longer than a timeout when the call
				// comes: an answer that was on its way when the cut began (to the instance's start-up
				// subscriptions, on a loaded machine) would otherwise be Redis answering within the call's timeout.
				proxy.hold();
				await().pollDelay(Duration.ofMillis(500)).until(() -> true);

				Throwable failure = catchThrowable(() -> call(b, key));

				assertThat(b.getBean(RedisAvailability.class).isDegraded()).as("working alone after %s", failure)
					.isTrue();
				assertThat(failure).isInstanceOfSatisfying(TokenAcquisitionException.class, (ex) -> {
					assertThat(ex).isNotInstanceOf(SignInRequiredException.class);
					assertThat(ex.getErrorCode()).isEqualTo(TokenManager.COORDINATION_LOST);
					assertThat(ex.isTransientFailure()).isTrue();
				});
				proxy.release();
				await().atMost(BOUND).ignoreExceptions().until(() -> ALICE.equals(call(b, key)));
				assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
			}));
		}
	}

	@Test
	void aWriteBackThatTimesOutAfterAnOutageIsSentAgainSoTheOtherInstancesFindTheUsersToken() {
		AtomicBoolean silent = new AtomicBoolean(true);
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(),
				(command) -> silent.get() || (command.contains("HGETALL") && command.contains(":" + ALICE)))) {
			ApplicationContextRunner signingIn = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms", "token.store.redis.retry-interval=200ms");
			ApplicationContextRunner other = instance("spring.data.redis.url=" + redisServer.server().url());
			signingIn.run((a) -> other.run((b) -> {
				RedisAvailability availability = a.getBean(RedisAvailability.class);
				proxy.slowDown(Duration.ofMillis(900));
				// Redis answers nothing instance A asks: it signs the user in alone and keeps the token to write back.
				TokenKey key = a.getBean(ReactiveUserTokens.class).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
				assertThat(availability.isDegraded()).isTrue();

				// Redis answers again, and keeps answering A's other commands, but the write-back's read of the
				// user's entry times out once.
				silent.set(false);
				try (OtherRedisCommands others = OtherRedisCommands.answeredFor(redisServer.server().url(),
						availability)) {
					await().atMost(BOUND).until(() -> !availability.isDegraded());
					await().pollDelay(Duration.ofMillis(700)).until(() -> true);
					proxy.slowDown(Duration.ZERO);

					await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> ALICE.equals(call(b, key)));
					assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
				}
			}));
		}
	}


	private ApplicationContextRunner instance(String connection) {
		return Wso2UserSessions.fleetInstance(this.provider, this.clock, PROVIDER, connection);
	}

	private String call(AssertableApplicationContext context, TokenKey key) {
		WebClient api = EngineTestSupport.apiClient(this.provider, context.getBean(TokenClients.class), PROVIDER);
		return api.get()
			.uri(API_PATH)
			.attributes(TokenKeyAttributes.tokenKey(key))
			.retrieve()
			.bodyToMono(String.class)
			.block(BOUND);
	}

}
