package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.OtherRedisCommands;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.ResponsesHeldTogether;
import dev.tokenstarter.test.SlowReadsProxy;

import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Saves from Spring Security's login path on the Redis store: they replace whatever version another instance
 * stored (Spring saves without reading first), while the engine's saves keep their compare-and-set, based on the
 * read they name, however this instance's other reads of the entry went meanwhile and however long ago its
 * bookkeeping last saw the entry; and the store's per-entry version bookkeeping stays bounded however many users
 * come and go.
 */
class LoginSaveStoreTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final ResponsesHeldTogether held = new ResponsesHeldTogether();

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider(held);

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void aLoginSavedOnAnInstanceThatNeverReadTheEntryReplacesIt() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = first.getBean(ReactiveClientRegistrationRepository.class)
				.findByRegistrationId("acme")
				.block(BOUND);
			first.getBean(OAuth2AuthorizedClientService.class).saveAuthorizedClient(client(registration, "L1"), alice);
			first.getBean(OAuth2AuthorizedClientService.class).saveAuthorizedClient(client(registration, "L2"), alice);

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.as("a save of the engine's keeps its compare-and-set")
				.isThrownBy(() -> second.getBean(RedisAuthorizedClientService.class)
					.saveAuthorizedClient(client(registration, "E1"), alice)
					.block(BOUND));
			second.getBean(OAuth2AuthorizedClientService.class).saveAuthorizedClient(client(registration, "L3"), alice);

			assertThat(first.getBean(OAuth2AuthorizedClientService.class)
				.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
				.getAccessToken()
				.getTokenValue()).isEqualTo("L3");
		}));
	}

	/**
	 * A renewal read the entry, another instance removed it (a sign-out) and a new login stored it again: the
	 * renewal's save, based on the removed entry, must not overwrite the new session's tokens, although the new
	 * entry's version once started again from where the removed one had.
	 */
	@Test
	void aSaveBasedOnAnEntryRemovedSinceLeavesTheNextLoginAlone() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(first);
			RedisAuthorizedClientService firstStore = first.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService secondStore = second.getBean(RedisAuthorizedClientService.class);
			firstStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			assertThat(secondStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNotNull();
			firstStore.removeAuthorizedClient("acme", "alice").block(BOUND);
			firstStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.isThrownBy(() -> secondStore.saveAuthorizedClient(client(registration, "E1"), alice).block(BOUND));
			assertThat(storedValue(first)).isEqualTo("L2");
		}));
	}

	/**
	 * A renewal read the entry and another instance removed it (a sign-out): the renewal's save, based on the
	 * removed entry, is refused by the trace the removal left, whether or not its instance was told of the removal;
	 * a read of the trace is a basis for the next save, and a login replaces it.
	 */
	@Test
	void aSaveBasedOnAReadFromBeforeARemovalIsRefusedByTheRemovalsTrace() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(first);
			RedisAuthorizedClientService firstStore = first.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService secondStore = second.getBean(RedisAuthorizedClientService.class);
			firstStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			assertThat(secondStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNotNull();
			firstStore.removeAuthorizedClient("acme", "alice").block(BOUND);

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.isThrownBy(() -> secondStore.saveAuthorizedClient(client(registration, "E1"), alice).block(BOUND));
			String entry = "token-starter:client:acme:alice";
			assertThat(redisServer.server().entriesHoldingTokens(entry)).isEmpty();
			assertThat(Long.parseLong(redisServer.server().command("PTTL", entry).get(0)))
				.as("the trace outlives a renewal under way")
				.isGreaterThan(Duration.ofMinutes(4).toMillis());

			assertThat(secondStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNull();
			secondStore.saveAuthorizedClient(client(registration, "E2"), alice).block(BOUND);
			assertThat(storedValue(first)).isEqualTo("E2");
			firstStore.removeAuthorizedClient("acme", "alice").block(BOUND);
			secondStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);
			assertThat(storedValue(first)).isEqualTo("L2");
		}));
	}

	/**
	 * An instance whose read of the entry found the trace of a removal holds no token of it: a login stored since
	 * on another instance, whose change message it gets, is no token a removal of its own (a renewal's session
	 * refused by the provider, say) may take away.
	 */
	@Test
	void aRemovalBasedOnAReadOfATraceLeavesALoginStoredSinceAlone() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(first);
			RedisAuthorizedClientService firstStore = first.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService secondStore = second.getBean(RedisAuthorizedClientService.class);
			firstStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			firstStore.removeAuthorizedClient("acme", "alice").block(BOUND);
			assertThat(secondStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNull();
			firstStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);
			// The login's change message reaches the second instance.
			await().pollDelay(Duration.ofMillis(300)).until(() -> true);

			secondStore.removeAuthorizedClient("acme", "alice").block(BOUND);
			assertThat(storedValue(first)).isEqualTo("L2");
		}));
	}

	/**
	 * A session this instance never saw stored (a renewal kept through an outage, and held since) is no basis a
	 * read of a removal's trace stands in for: its save is refused by the trace, and would take an absent entry.
	 */
	@Test
	void aSaveBasedOnASessionNeverSeenStoredIsRefusedByATraceAndTakesAnAbsentEntry() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(first);
			RedisAuthorizedClientService firstStore = first.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService secondStore = second.getBean(RedisAuthorizedClientService.class);
			firstStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			firstStore.removeAuthorizedClient("acme", "alice").block(BOUND);
			assertThat(secondStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNull();
			OAuth2AuthorizedClient neverStored = client(registration, "K1");

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.isThrownBy(() -> secondStore.saveAuthorizedClient(client(registration, "K2"), alice)
					.contextWrite(SharedTokenStore.basedOn(neverStored))
					.block(BOUND))
				.satisfies((ex) -> assertThat(ex.isRemoved()).isTrue());
			redisServer.server().command("DEL", "token-starter:client:acme:alice");
			secondStore.saveAuthorizedClient(client(registration, "K2"), alice)
				.contextWrite(SharedTokenStore.basedOn(neverStored))
				.block(BOUND);
			assertThat(storedValue(first)).isEqualTo("K2");
		}));
	}

	/**
	 * An instance of an earlier version saves over a removal's trace without clearing its mark (it knows of no
	 * mark): the token beside the mark is read, and saved over, as any stored token.
	 */
	@Test
	void aTokenSavedOverATraceByAnEarlierVersionIsNoTrace() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((context) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			RedisAuthorizedClientService store = context.getBean(RedisAuthorizedClientService.class);
			store.replaceAuthorizedClient(client(registration(context), "L1"), alice).block(BOUND);
			redisServer.server().command("HSET", "token-starter:client:acme:alice", "removed", "1");

			OAuth2AuthorizedClient read = store.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
				.block(BOUND);
			assertThat(read).isNotNull();
			store.saveAuthorizedClient(client(registration(context), "E1"), alice)
				.contextWrite(SharedTokenStore.basedOn(read))
				.block(BOUND);
			assertThat(storedValue(context)).isEqualTo("E1");
		});
	}

	/**
	 * A removal's trace lives as long as the entry would have: a save based on the removed entry may come as late
	 * as the entry's refresh token could still be spent.
	 */
	@Test
	void aRemovalsTraceLivesAsLongAsItsEntryWouldHave() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((context) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			RedisAuthorizedClientService store = context.getBean(RedisAuthorizedClientService.class);
			Instant now = this.clock.instant();
			store.replaceAuthorizedClient(new OAuth2AuthorizedClient(registration(context), "alice",
					new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "L1", now, now.plusSeconds(300)),
					new OAuth2RefreshToken("R-L1", now, now.plus(Duration.ofHours(8)))), alice).block(BOUND);
			store.removeAuthorizedClient("acme", "alice").block(BOUND);

			assertThat(Long.parseLong(redisServer.server().command("PTTL", "token-starter:client:acme:alice").get(0)))
				.isBetween(Duration.ofHours(7).toMillis(), Duration.ofHours(8).toMillis());
		});
	}

	/**
	 * A removal whose answer came too late (Redis slow, not down) is sent again soon: kept until the next outage's
	 * recovery, it took whatever was stored by then, the user's next login included (the instance had never read
	 * the entry, so it knew no version to stop at).
	 */
	@Test
	void aRemovalThatTimedOutWhileRedisWasSlowIsSentAgainSoonNotAtTheNextOutage() {
		// The removal's script call: 10 parts (EVAL or EVALSHA, script, key count, key, six arguments).
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(),
				(command) -> command.startsWith("*10\r\n") && command.contains("EVAL")
						&& command.contains("token-starter:client:acme:alice"))) {
			// A timeout long beside the other commands' 50 ms period: on a loaded machine they still answer within it.
			ApplicationContextRunner slow = FleetTestSupport.instance(provider, this.clock,
					"spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=1s");
			ApplicationContextRunner other = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
			slow.run((first) -> other.run((second) -> {
				TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
				ClientRegistration registration = registration(second);
				RedisAuthorizedClientService firstStore = first.getBean(RedisAuthorizedClientService.class);
				RedisAuthorizedClientService secondStore = second.getBean(RedisAuthorizedClientService.class);
				RedisAvailability availability = first.getBean(RedisAvailability.class);
				secondStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
				try (OtherRedisCommands others = OtherRedisCommands.answeredFor(redisServer.server().url(),
						availability)) {
					await().until(() -> !availability.isDegraded() && availability.shouldTry());
					proxy.slowDown(Duration.ofMillis(2500));
					firstStore.removeAuthorizedClient("acme", "alice").block(BOUND);
					assertThat(availability.isDegraded()).as("a slow answer is no outage").isFalse();
					assertThat(firstStore.pendingCount()).as("kept for Redis").isEqualTo(1);
					proxy.slowDown(Duration.ZERO);

					await().atMost(BOUND).until(() -> firstStore.pendingCount() == 0);
				}
				secondStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);
				assertThat(storedValue(second)).isEqualTo("L2");
			}));
		}
	}

	/**
	 * A renewal that read the entry, then a new login of the user on the same instance, then the renewal's save:
	 * the login is newer than anything the renewal saw, and stays.
	 */
	@Test
	void aRenewalBasedOnAReadBeforeALoginOnTheSameInstanceLeavesTheLoginAlone() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((context) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(context);
			RedisAuthorizedClientService store = context.getBean(RedisAuthorizedClientService.class);
			store.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			assertThat(store.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND)).isNotNull();
			store.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.isThrownBy(() -> store.saveAuthorizedClient(client(registration, "E1"), alice).block(BOUND));
			assertThat(storedValue(context)).isEqualTo("L2");
			assertThat(store.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND)).isNotNull();
			store.saveAuthorizedClient(client(registration, "E2"), alice).block(BOUND);
			assertThat(storedValue(context)).as("a save based on a read of the login's version").isEqualTo("E2");
		});
	}

	/**
	 * A user logs in on an instance that never read the entry, another instance renews the login's token, and the
	 * user signs out on the first (Spring's store removes without reading first): the removal reaches the renewed
	 * token the change message announced.
	 */
	@Test
	void aSignOutAfterALoginRemovesTheTokenAnotherInstanceRenewedSince() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((loggedIn) -> instance.run((renewing) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(loggedIn);
			RedisAuthorizedClientService loggedInStore = loggedIn.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService renewingStore = renewing.getBean(RedisAuthorizedClientService.class);
			loggedInStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			assertThat(renewingStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNotNull();
			renewingStore.saveAuthorizedClient(client(registration, "E1"), alice).block(BOUND);
			// The renewal's change message reaches the instance the user logged in on before the sign-out.
			await().pollDelay(Duration.ofMillis(500)).until(() -> true);

			loggedInStore.removeAuthorizedClient("acme", "alice").block(BOUND);

			assertThat(redisServer.server().entriesHoldingTokens("token-starter:client:acme:alice"))
				.isEmpty();
		}));
	}

	/**
	 * A user logs in again on an instance cut off from Redis, while another instance renews the user's old session
	 * (its token expiring later than the login's): once Redis answers again, the login replaces the old session's
	 * tokens, as it would have had Redis answered.
	 */
	@Test
	void aLoginSavedDuringAnOutageReplacesTheOldSessionsTokensOnceRedisAnswers() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> false)) {
			ApplicationContextRunner direct = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
			ApplicationContextRunner cutOff = FleetTestSupport
				.instance(provider, this.clock, "spring.data.redis.url=" + proxy.url())
				// Kept off Redis once it failed, so that the login is kept for later rather than sent into the cut;
				// the availability probe still finds Redis again within a second of its return.
				.withPropertyValues("token.store.redis.timeout=300ms", "token.store.redis.retry-interval=1m");
			direct.run((other) -> cutOff.run((loggedIn) -> {
				TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
				ClientRegistration registration = registration(other);
				RedisAuthorizedClientService otherStore = other.getBean(RedisAuthorizedClientService.class);
				RedisAuthorizedClientService loggedInStore = loggedIn.getBean(RedisAuthorizedClientService.class);
				otherStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);

				proxy.cut();
				assertThat(loggedInStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
					.isNull();
				assertThat(loggedIn.getBean(RedisAvailability.class).isDegraded()).isTrue();
				loggedInStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);
				assertThat(otherStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
					.isNotNull();
				otherStore.saveAuthorizedClient(client(registration, "E1", "alice", Duration.ofMinutes(10)), alice)
					.block(BOUND);
				proxy.mend();

				await().atMost(BOUND).untilAsserted(() -> {
					loggedInStore.loadAuthorizedClient("acme", "alice").block(BOUND);
					assertThat(storedValue(other)).isEqualTo("L2");
				});
			}));
		}
	}

	/**
	 * A renewal that found nothing stored, and then ends the key's session (its refresh token refused): a login
	 * stored meanwhile by another instance is newer than anything the renewal saw, and stays.
	 */
	@Test
	void aRemovalBasedOnAReadThatFoundNothingLeavesALaterLoginAlone() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((first) -> instance.run((second) -> {
			TestingAuthenticationToken bob = new TestingAuthenticationToken("bob", null, "ROLE_USER");
			RedisAuthorizedClientService secondStore = second.getBean(RedisAuthorizedClientService.class);
			assertThat(secondStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "bob").block(BOUND)).isNull();
			first.getBean(RedisAuthorizedClientService.class)
				.replaceAuthorizedClient(client(registration(first), "L1", "bob"), bob)
				.block(BOUND);

			secondStore.removeAuthorizedClient("acme", "bob").block(BOUND);
			assertThat(first.getBean(OAuth2AuthorizedClientService.class)
				.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "bob")
				.getAccessToken()
				.getTokenValue()).isEqualTo("L1");
		}));
	}

	@Test
	void versionBookkeepingStaysBoundedHoweverManyUsersComeAndGo() {
		FleetTestSupport.instance(redisServer.server(), provider, this.clock)
			.withPropertyValues("token.keys.max-held=100")
			.run((context) -> {
				RedisAuthorizedClientService store = context.getBean(RedisAuthorizedClientService.class);
				OAuth2AuthorizedClientService blocking = context.getBean(OAuth2AuthorizedClientService.class);
				ClientRegistration registration = context.getBean(ReactiveClientRegistrationRepository.class)
					.findByRegistrationId("acme")
					.block(BOUND);
				for (int user = 0; user < 3_000; user++) {
					TestingAuthenticationToken principal = new TestingAuthenticationToken("user-" + user, null,
							"ROLE_USER");
					blocking.saveAuthorizedClient(client(registration, "T" + user), principal);
					blocking.loadAuthorizedClient("acme", "user-" + user);
				}
				assertThat(store.versionCount()).isBetween(1L, 1_000L);

				this.clock.advance(Duration.ofMinutes(31));
				assertThat(store.versionCount()).isZero();
			});
	}

	@Test
	void aSaveBasedOnOneReadIsRefusedWhenAnotherInstanceStoredSinceThoughThisOneReadAgain() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((loggingIn) -> instance.run((renewing) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(loggingIn);
			RedisAuthorizedClientService loginStore = loggingIn.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService renewingStore = renewing.getBean(RedisAuthorizedClientService.class);
			loginStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			OAuth2AuthorizedClient read = renewingStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
				.block(BOUND);
			loginStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);
			// Application code on the renewing instance reads the entry meanwhile.
			assertThat(renewingStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNotNull();

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.isThrownBy(() -> renewingStore.saveAuthorizedClient(client(registration, "E1"), alice)
					.contextWrite(SharedTokenStore.basedOn(read))
					.block(BOUND));
			assertThat(loggingIn.getBean(OAuth2AuthorizedClientService.class)
				.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
				.getAccessToken()
				.getTokenValue()).isEqualTo("L2");
		}));
	}

	/**
	 * The store's bookkeeping of an entry's version idles out while the renewal that read it waits for the
	 * provider: the renewal still saves its token in place of what it read, rather than failing as stale and
	 * keeping the stored token, whose refresh token it has just spent.
	 */
	@Test
	void aRenewalSavesInPlaceOfWhatItReadThoughTheStoreForgotThatReadsVersionMeanwhile() throws Exception {
		provider.stubFor(tokenRequest().inScenario("renewal")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(token("T1", 300))
			.willSetStateTo("renewing"));
		provider.stubFor(tokenRequest().inScenario("renewal")
			.whenScenarioStateIs("renewing")
			.willReturn(token("T2", 300).withTransformers(ResponsesHeldTogether.NAME)));
		FleetTestSupport.instance(redisServer.server(), provider, this.clock).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block(BOUND).accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofSeconds(301));
			held.holdUntil(2);
			CompletableFuture<String> renewed = tokens.token("acme")
				.map((token) -> token.accessToken().getTokenValue())
				.toFuture();
			// The renewal has read the store under the lock, and its token request is on its way.
			await().atMost(BOUND).until(() -> held.awaited() == 1);
			this.clock.advance(Duration.ofMinutes(31));
			held.release();

			assertThat(renewed.get(10, TimeUnit.SECONDS)).isEqualTo("T2");
			assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T2");
		});
	}

	private static ClientRegistration registration(ApplicationContext context) {
		return context.getBean(ReactiveClientRegistrationRepository.class).findByRegistrationId("acme").block(BOUND);
	}

	private static String storedValue(ApplicationContext context) {
		return context.getBean(OAuth2AuthorizedClientService.class)
			.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
			.getAccessToken()
			.getTokenValue();
	}

	private OAuth2AuthorizedClient client(ClientRegistration registration, String value) {
		return client(registration, value, "alice");
	}

	private OAuth2AuthorizedClient client(ClientRegistration registration, String value, String principal) {
		return client(registration, value, principal, Duration.ofMinutes(5));
	}

	private OAuth2AuthorizedClient client(ClientRegistration registration, String value, String principal,
			Duration lifetime) {
		Instant now = this.clock.instant();
		return new OAuth2AuthorizedClient(registration, principal,
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plus(lifetime)),
				new OAuth2RefreshToken("R-" + value, now));
	}

}
