package dev.tokenstarter.user;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.GatedTokenLock;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.Threads;
import dev.tokenstarter.test.Wso2UserSessions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Users signed in to WSO2 API Manager with their own passwords, served by a fleet of application contexts on one
 * real {@code redis-server}, against a strict WSO2 stub that keeps one session per client and user (a new password
 * grant ends the user's earlier token, revoked tokens get 900901, refresh tokens rotate). The verdicts come from
 * the stub's counters: one session per user however many devices and instances, one token request however many
 * concurrent sign-ins, one silent re-sign-in after a revocation, and the password nowhere in Redis.
 */
class UserTokensFleetTests {

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
		// Token responses leave a while after the token was issued, as over a network: racing sign-ins overlap.
		this.wso2.stubOn(this.provider, Duration.ofMillis(200));
	}

	@Test
	void aUserSignedInOnOneInstanceIsServedByAnotherThatNeverHadThePassword() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			assertThat(call(b, key)).isEqualTo(ALICE);
			assertThat(users(b).holdsCredentials(PROVIDER, ALICE)).isFalse();
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
			assertThat(this.wso2.issued()).isEqualTo(1);
			assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).hasSize(1);
			assertThat(String.join("\n", redisContents())).doesNotContain(PASSWORD)
				.doesNotContain(this.wso2.liveToken(ALICE))
				.doesNotContain(this.wso2.liveRefreshToken(ALICE));
		}));
	}

	@Test
	void twoDevicesSigningInOnTwoInstancesShareOneSession() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> {
			TokenKey phone = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			TokenKey laptop = users(b).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			assertThat(laptop).isEqualTo(phone);
			assertThat(call(a, phone)).isEqualTo(ALICE);
			assertThat(call(b, laptop)).isEqualTo(ALICE);
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
			assertThat(this.wso2.rejected()).isZero();
			assertThat(users(a).holdsCredentials(PROVIDER, ALICE)).isTrue();
			assertThat(users(b).holdsCredentials(PROVIDER, ALICE)).isTrue();
		}));
	}

	@Test
	void concurrentSignInsOfOneUserAcrossInstancesMakeOneTokenRequest() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> instance.run((c) -> {
			List<ReactiveUserTokens> fleet = List.of(users(a), users(b), users(c));
			List<Callable<TokenKey>> signIns = new ArrayList<>();
			for (int i = 0; i < 48; i++) {
				ReactiveUserTokens users = fleet.get(i % fleet.size());
				signIns.add(() -> users.signIn(PROVIDER, ALICE, PASSWORD).block(BOUND));
			}
			assertThat(Threads.runTogether(signIns)).hasSize(48).containsOnly(users(a).key(PROVIDER, ALICE));
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
			assertThat(this.wso2.issued()).isEqualTo(1);
			assertThat(this.wso2.refusedRefreshes()).isZero();
		})));
	}

	@Test
	void aTokenRevokedAtTheProviderIsReplacedSilentlyOnceAndAnInstanceWithoutThePasswordAsksForASignIn() {
		ApplicationContextRunner instance = instance();
		instance.run((b) -> {
			TokenKey key = users(b).key(PROVIDER, ALICE);
			instance.run((a) -> instance.run((c) -> {
				users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
				users(c).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
				assertThat(call(b, key)).isEqualTo(ALICE);
				// Another device of alice's signs out elsewhere: her session at the provider ends.
				this.wso2.endSessionOf(ALICE);
				List<Callable<String>> calls = new ArrayList<>();
				for (int i = 0; i < 40; i++) {
					AssertableApplicationContext holder = (i % 2 == 0) ? a : c;
					calls.add(() -> call(holder, key));
				}
				assertThat(Threads.runTogether(calls)).hasSize(40).containsOnly(ALICE);
				assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(2);
				assertThat(call(b, key)).isEqualTo(ALICE);
				assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(2);
				assertThat(this.wso2.reuses()).isZero();
			}));
			// The instances that held alice's password are gone; her session ends again.
			this.wso2.endSessionOf(ALICE);
			assertThatExceptionOfType(SignInRequiredException.class).isThrownBy(() -> call(b, key))
				.withMessageContaining("must sign in")
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(SignInRequiredException.ERROR_CODE));
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(2);
			assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).isEmpty();
		});
	}

	@Test
	void signingOutRevokesTheTokenRemovesItFromEveryInstanceAndDropsThePassword() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			assertThat(call(b, key)).isEqualTo(ALICE);
			assertThat(b.getBean(TokenManager.class).usableToken(key)).isNotNull();
			users(a).signOut(PROVIDER, ALICE).block(BOUND);
			assertThat(this.wso2.revocations()).isEqualTo(1);
			assertThat(this.wso2.liveToken(ALICE)).isNull();
			assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).isEmpty();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> b.getBean(TokenManager.class).usableToken(key) == null);
			assertThat(users(a).holdsCredentials(PROVIDER, ALICE)).isFalse();
			assertThatExceptionOfType(SignInRequiredException.class).isThrownBy(() -> call(a, key));
			assertThatExceptionOfType(SignInRequiredException.class).isThrownBy(() -> call(b, key));
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(1);
		}));
	}

	/**
	 * On an instance that holds no password of the user, a wrong one signs in (the user's valid token serves it)
	 * and is kept, proving nothing; the user's own sign-in there, served by the token too, must then replace it
	 * rather than give way to it, or the next silent sign-in offers the wrong one.
	 */
	@Test
	void aPasswordThatProvedNothingGivesWayToTheUsersOwnSignIn() {
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			users(b).signIn(PROVIDER, ALICE, "a-wrong-guess").block(BOUND);
			users(b).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			this.wso2.endSessionOf(ALICE);
			TokenManager tokens = b.getBean(TokenManager.class);
			assertThat(tokens.replaceRejected(key, tokens.token(key).block(BOUND)).block(BOUND).accessToken()
				.getTokenValue()).isEqualTo(this.wso2.liveToken(ALICE));
			assertThat(this.wso2.refusedPasswords()).isZero();
		}));
	}

	/**
	 * The same race as {@code UserTokensTests.aRenewalUnderWayWhenTheUserSignsOutDoesNotBringTheSessionBack},
	 * across the fleet: the renewal began on another instance than the sign-out, which learns of it only by the
	 * store's change message. The provider's revocation fails, so nothing at the provider ends the session. The
	 * renewal is one ahead of expiry, which keeps the token held meanwhile, so that the test sees the message come.
	 */
	@Test
	void aRenewalUnderWayOnAnotherInstanceWhenTheUserSignsOutDoesNotBringTheSessionBack() {
		this.provider.stubFor(post(urlPathEqualTo(Wso2UserSessions.REVOKE_PATH)).atPriority(1)
			.willReturn(aResponse().withStatus(503)));
		GatedTokenLock gated = new GatedTokenLock();
		ApplicationContextRunner instance = instance();
		instance.run((a) -> instance.withBean(TokenLock.class, () -> gated).run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			assertThat(call(b, key)).isEqualTo(ALICE);
			TokenManager renewing = b.getBean(TokenManager.class);
			// Used every 20 minutes, so that b keeps the key (idle for 30 minutes, it goes), until its token is stale
			// but not expired: served, and renewed in the background, which the gate holds back.
			for (int i = 0; i < 2; i++) {
				this.clock.advance(Duration.ofMinutes(20));
				renewing.token(key).block(BOUND);
			}
			this.clock.advance(Duration.ofMinutes(18));
			gated.holdNextCaller();
			assertThat(renewing.token(key).block(BOUND)).isNotNull();
			await().atMost(BOUND).until(gated::isHolding);
			users(a).signOut(PROVIDER, ALICE).block(BOUND);
			// The change message has come: the token b held is dropped.
			await().atMost(BOUND).until(() -> renewing.cachedToken(key) == null);
			gated.open();

			// Joins the renewal under way.
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> renewing.token(key).block(BOUND))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(SignInRequiredException.ERROR_CODE));
			assertThat(this.wso2.refreshes()).as("refreshes of the ended session").isZero();
			assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).isEmpty();
		}));
	}

	/**
	 * A sign-out while the renewal's refresh is at the provider, slower than {@code lock-wait}: the sign-out, done
	 * waiting for the lock, removes the session beside the renewal. The refreshed token continues the session the
	 * sign-out ended (the provider had already replaced the token the sign-out revoked), so it is neither stored
	 * nor served, and it is revoked.
	 */
	@Test
	void aSignOutWhileTheRenewalsRefreshIsAtTheProviderIsNotUndoneByTheRenewal() {
		this.wso2.stubOn(this.provider, Duration.ofMillis(2500));
		ApplicationContextRunner instance = instance().withPropertyValues("token.store.redis.lock-wait=300ms");
		instance.run((a) -> signOutWhileTheRenewalsRefreshIsAtTheProvider(a, a));
	}

	/**
	 * As above, with the sign-out on another instance whose change message never reaches the renewing one (a
	 * subscription lost, a message dropped): the renewing instance cannot know of the removal, so it is the store
	 * that refuses its save, and the renewal ends as if it had been told.
	 */
	@Test
	void aSignOutOnAnotherInstanceIsNotUndoneByARenewalThatWasNeverToldOfIt() {
		this.wso2.stubOn(this.provider, Duration.ofMillis(2500));
		ApplicationContextRunner instance = instance().withPropertyValues("token.store.redis.lock-wait=300ms");
		instance.run((a) -> instance.run((b) -> signOutWhileTheRenewalsRefreshIsAtTheProvider(a, b)));
	}

	/**
	 * Signs the user in on {@code renewing}, renews there past the token's lifetime, signs the user out on
	 * {@code signingOut} while the refresh is at the provider, and checks that nothing of the session is left: the
	 * renewal fails, nothing is stored or held, and the provider's session is over. A {@code signingOut} other than
	 * {@code renewing} is one whose change messages never reach it.
	 */
	private void signOutWhileTheRenewalsRefreshIsAtTheProvider(AssertableApplicationContext renewing,
			AssertableApplicationContext signingOut) {
		TokenKey key = users(renewing).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
		if (signingOut != renewing) {
			FleetTestSupport.stopHearingChanges(renewing);
		}
		TokenManager tokens = renewing.getBean(TokenManager.class);
		this.clock.advance(Duration.ofMinutes(61));
		CompletableFuture<ManagedToken> renewal = tokens.token(key).toFuture();
		await().atMost(BOUND).until(() -> this.wso2.refreshes() == 1);
		users(signingOut).signOut(PROVIDER, ALICE).block(BOUND);

		assertThat(renewal).failsWithin(BOUND)
			.withThrowableThat()
			.havingCause()
			.isInstanceOfSatisfying(TokenAcquisitionException.class,
					(ex) -> assertThat(ex.getErrorCode()).isEqualTo(TokenErrors.REVOKED_DURING_RENEWAL));
		assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).isEmpty();
		assertThat(tokens.cachedToken(key)).isNull();
		assertThat(this.wso2.liveToken(ALICE)).as("the session at the provider").isNull();
	}

	/**
	 * The user's token is removed from the fleet on one instance (here without a revocation at the provider, as
	 * for one without a revocation endpoint) and the change message never reaches another that holds the token:
	 * its next renewal finds nothing stored and renews from the token it holds, which the removal ended. The store
	 * refuses the save, so the session does not come back to the fleet, and what the renewal obtained is revoked.
	 */
	@Test
	void aRenewalFromAHeldTokenWhoseEntryWasRemovedElsewhereDoesNotBringTheSessionBack() {
		// Held past its lifetime: an idle key dropped from memory is read from the store again, and renewed from
		// nothing (a new sign-in with the credentials held here).
		ApplicationContextRunner instance = instance().withPropertyValues("token.keys.idle-timeout=1d",
				"token.defaults.refresh.failure-cooldown=0s");
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			FleetTestSupport.stopHearingChanges(a);
			b.getBean(RedisAuthorizedClientService.class).removeAuthorizedClient(PROVIDER, ALICE).block(BOUND);
			TokenManager tokens = a.getBean(TokenManager.class);
			this.clock.advance(Duration.ofMinutes(61));

			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.token(key).block(BOUND))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(TokenErrors.REVOKED_DURING_RENEWAL));
			assertThat(this.wso2.refreshes()).isEqualTo(1);
			assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).isEmpty();
			assertThat(this.wso2.liveToken(ALICE)).as("the session at the provider").isNull();

			// The ended session is no basis of the next renewal: with the credentials this instance holds, the user
			// is signed in anew, for the fleet.
			assertThat(tokens.token(key).block(BOUND).accessToken().getTokenValue())
				.isEqualTo(this.wso2.liveToken(ALICE));
			assertThat(redis().entriesHoldingTokens("token-starter:client:" + PROVIDER + ":" + ALICE)).hasSize(1);
		}));
	}

	/**
	 * The user signs out on another instance, whose change message never reaches one that holds the user's token
	 * and password: the sign-out revoked the session at the provider, so that instance's next renewal has its
	 * refresh refused and signs the user in again with the password it holds, as it would had it been told. The
	 * new session continues nothing the sign-out ended: it is stored for the fleet and served, not revoked.
	 */
	@Test
	void aSignInWithTheHeldPasswordAfterARefusedRefreshIsANewSessionForTheFleet() {
		ApplicationContextRunner instance = instance().withPropertyValues("token.keys.idle-timeout=1d");
		instance.run((a) -> instance.run((b) -> {
			TokenKey key = users(a).signIn(PROVIDER, ALICE, PASSWORD).block(BOUND);
			FleetTestSupport.stopHearingChanges(a);
			users(b).signOut(PROVIDER, ALICE).block(BOUND);
			assertThat(this.wso2.liveToken(ALICE)).isNull();
			TokenManager tokens = a.getBean(TokenManager.class);
			this.clock.advance(Duration.ofMinutes(61));

			assertThat(tokens.token(key).block(BOUND).accessToken().getTokenValue())
				.isEqualTo(this.wso2.liveToken(ALICE));
			assertThat(this.wso2.refusedRefreshes()).isEqualTo(1);
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(2);
			assertThat(this.wso2.revocations()).as("the sign-out's only").isEqualTo(1);
			assertThat(call(b, key)).isEqualTo(ALICE);
			assertThat(this.wso2.passwordGrants(ALICE)).isEqualTo(2);
		}));
	}

	private ApplicationContextRunner instance() {
		return Wso2UserSessions.fleetInstance(this.provider, this.clock, PROVIDER,
				"spring.data.redis.url=" + redis().url());
	}

	private static ReactiveUserTokens users(AssertableApplicationContext context) {
		return context.getBean(ReactiveUserTokens.class);
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

	/**
	 * Every key in Redis with its value, whatever its type.
	 */
	private static List<String> redisContents() {
		List<String> contents = new ArrayList<>();
		for (String key : redis().command("KEYS", "*")) {
			contents.add(key);
			String type = redis().command("TYPE", key).get(0);
			switch (type) {
				case "hash" -> contents.addAll(redis().command("HGETALL", key));
				case "string" -> contents.addAll(redis().command("GET", key));
				default -> contents.add(type);
			}
		}
		return contents;
	}

	private static RedisServer redis() {
		return redisServer.server();
	}

}
