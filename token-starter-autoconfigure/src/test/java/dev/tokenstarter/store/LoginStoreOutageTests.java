package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.SlowReadsProxy;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A user's login session when the store cannot be read, and when a new login races a renewal: the session in a
 * store an instance cannot read is no reason to send the user to log in again, nor to end the session for the
 * fleet once Redis answers; a new login is the user's session, whatever a renewal of the earlier one brings.
 */
class LoginStoreOutageTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final String LOGIN = "login";

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void aLoginSessionAnInstanceCutOffFromRedisCannotReadIsNeitherALoginRequestNorEnded() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner loggedIn = instance("spring.data.redis.url=" + redisServer.server().url());
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms", "token.defaults.refresh.failure-cooldown=0s");
			loggedIn.run((a) -> cutOff.run((b) -> {
				TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
				a.getBean(RedisAuthorizedClientService.class).replaceAuthorizedClient(session(), alice).block(BOUND);
				// As in SlowStoreReadTests: Redis has answered nothing this instance asked for longer than a timeout.
				proxy.hold();
				await().pollDelay(Duration.ofMillis(500)).until(() -> true);
				TokenManager tokens = b.getBean(TokenManager.class);
				TokenKey key = TokenKey.forProvider(LOGIN).principal("alice").build();

				Throwable failure = catchThrowable(() -> tokens.token(key).block(BOUND));

				assertThat(failure).isInstanceOfSatisfying(TokenAcquisitionException.class, (ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo(TokenManager.COORDINATION_LOST);
					assertThat(ex.isTransientFailure()).isTrue();
				});
				proxy.release();
				await().atMost(BOUND)
					.ignoreExceptions()
					.until(() -> "L1".equals(tokens.token(key).block(BOUND).accessToken().getTokenValue()));
				assertThat(redisServer.server().entriesHoldingTokens("token-starter:client:" + LOGIN + ":alice"))
					.as("the session, for the fleet")
					.hasSize(1);
			}));
		}
	}

	/**
	 * A login whose refresh token the provider refused on an instance cut off from Redis: that instance ended the
	 * session itself, so the user is asked to log in, not told to wait for the store.
	 */
	@Test
	void aLoginSessionTheCutOffInstanceEndedItselfAsksTheUserToLogIn() {
		inSequence(provider, () -> post(urlPathEqualTo("/token")), token("L1-renewed", 300),
				error(400, "invalid_grant"));
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms", "token.defaults.refresh.failure-cooldown=0s");
			cutOff.run((b) -> {
				b.getBean(RedisAuthorizedClientService.class)
					.replaceAuthorizedClient(session(), new TestingAuthenticationToken("alice", null, "ROLE_USER"))
					.block(BOUND);
				TokenManager tokens = b.getBean(TokenManager.class);
				TokenKey key = TokenKey.forProvider(LOGIN).principal("alice").build();
				this.clock.advance(Duration.ofMinutes(6));
				// Renewed here, with Redis up: its refresh token is this instance's to spend, outage or not.
				assertThat(tokens.token(key).block(BOUND).accessToken().getTokenValue()).isEqualTo("L1-renewed");
				proxy.hold();
				await().pollDelay(Duration.ofMillis(500)).until(() -> true);
				this.clock.advance(Duration.ofMinutes(6));
				assertThat(catchThrowable(() -> tokens.token(key).block(BOUND))).as("the refresh token refused")
					.isInstanceOf(TokenAcquisitionException.class);

				Throwable failure = catchThrowable(() -> tokens.token(key).block(BOUND));

				assertThat(failure).isInstanceOfSatisfying(TokenAcquisitionException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(TokenErrors.LOGIN_REQUIRED));
				proxy.release();
			});
		}
	}

	/**
	 * A user logs in on an instance cut off from Redis: the login waits there to be written back, and serves the
	 * user meanwhile; read from the store it could not be, and the user, just logged in, had nothing to be served.
	 */
	@Test
	void aLoginOnAnInstanceCutOffFromRedisServesTheUserAtOnceAndReachesTheFleetLater() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms", "token.defaults.refresh.failure-cooldown=0s");
			cutOff.run((b) -> {
				TokenManager tokens = b.getBean(TokenManager.class);
				TokenKey key = TokenKey.forProvider(LOGIN).principal("alice").build();
				proxy.hold();
				await().pollDelay(Duration.ofMillis(500)).until(() -> true);
				assertThat(catchThrowable(() -> tokens.token(key).block(BOUND))).as("nobody logged in yet")
					.isInstanceOf(TokenAcquisitionException.class);
				// What Spring Security's login does through the store's faces: save, and tell the engine.
				b.getBean(RedisAuthorizedClientService.class)
					.replaceAuthorizedClient(session(), new TestingAuthenticationToken("alice", null, "ROLE_USER"))
					.block(BOUND);
				tokens.forget(LOGIN, "alice");

				assertThat(tokens.token(key).block(BOUND).accessToken().getTokenValue()).isEqualTo("L1");
				proxy.release();
				await().atMost(BOUND)
					.until(() -> redisServer.server()
						.entriesHoldingTokens("token-starter:client:" + LOGIN + ":alice")
						.size() == 1);
			});
		}
	}

	/**
	 * The user's session was removed (a sign-out on another instance, which left its trace) and an instance cut off
	 * from Redis then keeps two tokens: a renewal of the removed session, and a new token based on nothing stored (a
	 * new sign-in). Once Redis answers, the renewal is dropped and the new token is written back over the trace.
	 */
	@Test
	void aTokenKeptThroughAnOutageIsWrittenBackOverARemovalOnlyIfItIsNewSinceTheRemoval() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner signingOut = instance("spring.data.redis.url=" + redisServer.server().url());
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms");
			signingOut.run((a) -> cutOff.run((b) -> {
				RedisAuthorizedClientService store = b.getBean(RedisAuthorizedClientService.class);
				TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
				TestingAuthenticationToken bob = new TestingAuthenticationToken("bob", null, "ROLE_USER");
				store.replaceAuthorizedClient(session("A1"), alice).block(BOUND);
				store.replaceAuthorizedClient(session("B1", "bob"), bob).block(BOUND);
				OAuth2AuthorizedClient aliceRead = store.<OAuth2AuthorizedClient>loadAuthorizedClient(LOGIN, "alice")
					.block(BOUND);
				RedisAuthorizedClientService other = a.getBean(RedisAuthorizedClientService.class);
				other.removeAuthorizedClient(LOGIN, "alice").block(BOUND);
				other.removeAuthorizedClient(LOGIN, "bob").block(BOUND);
				proxy.hold();
				await().atMost(BOUND).until(() -> {
					store.loadAuthorizedClient(LOGIN, "alice").onErrorComplete().block(BOUND);
					return store.isDegraded();
				});
				// Past the removals by more than clocks may differ.
				this.clock.advance(Duration.ofMinutes(1));
				store.saveAuthorizedClient(session("A2"), alice)
					.contextWrite(SharedTokenStore.basedOn(aliceRead))
					.block(BOUND);
				store.saveAuthorizedClient(session("B2", "bob"), bob).block(BOUND);
				proxy.release();

				await().atMost(BOUND)
					.until(() -> !store.isDegraded() && store.pendingCount() == 0
							&& redisServer.server().entriesHoldingTokens("token-starter:client:" + LOGIN + ":*").size() == 1);
				assertThat(redisServer.server().entriesHoldingTokens("token-starter:client:" + LOGIN + ":*"))
					.containsExactly("token-starter:client:" + LOGIN + ":bob");
				assertThat(other.<OAuth2AuthorizedClient>loadAuthorizedClient(LOGIN, "bob").block(BOUND)
					.getAccessToken()
					.getTokenValue()).isEqualTo("B2");
			}));
		}
	}

	/**
	 * A renewal of the user's earlier session, under way when the user logged in on an instance cut off from
	 * Redis, saves after the login: it took the login's place, and was written back over it. A renewal of the
	 * login itself is the login's, and is written back.
	 */
	@Test
	void aRenewalOfTheEarlierSessionSavedAfterALoginDuringAnOutageDoesNotTakeTheLoginsPlace() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms");
			cutOff.run((b) -> {
				RedisAuthorizedClientService store = b.getBean(RedisAuthorizedClientService.class);
				TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
				proxy.hold();
				await().atMost(BOUND).until(() -> {
					store.loadAuthorizedClient(LOGIN, "alice").onErrorComplete().block(BOUND);
					return store.isDegraded();
				});
				OAuth2AuthorizedClient login = session("L2");
				store.replaceAuthorizedClient(login, alice).block(BOUND);

				assertThatExceptionOfType(StaleAuthorizedClientException.class)
					.isThrownBy(() -> store.saveAuthorizedClient(session("E1"), alice).block(BOUND));
				store.saveAuthorizedClient(session("L3"), alice).contextWrite(SharedTokenStore.basedOn(login)).block(BOUND);
				proxy.release();
				await().atMost(BOUND).ignoreExceptions().until(() -> !store.isDegraded() && "L3".equals(store
					.<OAuth2AuthorizedClient>loadAuthorizedClient(LOGIN, "alice")
					.block(BOUND)
					.getAccessToken()
					.getTokenValue()));
			});
		}
	}

	/**
	 * The user logs in again on the instance whose renewal of the earlier session is at the provider: the login
	 * replaces the session (for the engine, a removal of its token), so the renewal keeps nothing of what it got,
	 * and serves the login, which stays stored for the fleet.
	 */
	@Test
	void aLoginWhileTheEarlierSessionsRenewalIsUnderWayIsServedAndStays() {
		provider.stubFor(post(urlPathEqualTo("/token")).willReturn(token("L1-renewed", 300).withFixedDelay(1500)));
		instance("spring.data.redis.url=" + redisServer.server().url()).run((b) -> {
			RedisAuthorizedClientService store = b.getBean(RedisAuthorizedClientService.class);
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			store.replaceAuthorizedClient(session("L1"), alice).block(BOUND);
			TokenManager tokens = b.getBean(TokenManager.class);
			TokenKey key = TokenKey.forProvider(LOGIN).principal("alice").build();
			this.clock.advance(Duration.ofMinutes(6));
			CompletableFuture<ManagedToken> renewal = tokens.token(key).toFuture();
			await().atMost(BOUND).until(() -> count(provider, postRequestedFor(urlPathEqualTo("/token"))) == 1);
			// What Spring Security's login does through the store's faces: save, and tell the engine.
			store.replaceAuthorizedClient(session("L2"), alice).block(BOUND);
			tokens.forget(LOGIN, "alice");

			assertThat(renewal).succeedsWithin(BOUND)
				.extracting((token) -> token.accessToken().getTokenValue())
				.isEqualTo("L2");
			assertThat(store.<OAuth2AuthorizedClient>loadAuthorizedClient(LOGIN, "alice").block(BOUND)
				.getAccessToken()
				.getTokenValue()).isEqualTo("L2");
		});
	}

	/**
	 * What an instance keeps to write back during a long outage stays bounded however many keys come and go, and
	 * each token goes once its entry would have expired in Redis: written back then, it would be of no use. A
	 * login made meanwhile stays whatever the number of tokens: only the user could make it again.
	 */
	@Test
	void tokensKeptToWriteBackDuringAnOutageStayBoundedAndGoOnceExpired() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redisServer.server().port(), (command) -> true)) {
			ApplicationContextRunner cutOff = instance("spring.data.redis.url=" + proxy.url())
				.withPropertyValues("token.store.redis.timeout=300ms", "token.keys.max-held=100");
			cutOff.run((b) -> {
				RedisAuthorizedClientService store = b.getBean(RedisAuthorizedClientService.class);
				proxy.hold();
				await().atMost(BOUND).until(() -> {
					store.loadAuthorizedClient(LOGIN, "alice").onErrorComplete().block(BOUND);
					return store.isDegraded();
				});
				Instant now = this.clock.instant();
				for (int user = 0; user < 3_000; user++) {
					if (user == 2_000) {
						store.replaceAuthorizedClient(session(),
								new TestingAuthenticationToken("alice", null, "ROLE_USER"))
							.block(BOUND);
					}
					OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "T" + user, now,
							now.plus(Duration.ofMinutes(5)));
					store.saveAuthorizedClient(new OAuth2AuthorizedClient(registration(), "user-" + user, token),
							new TestingAuthenticationToken("user-" + user, null, "ROLE_USER"))
						.block(BOUND);
				}
				assertThat(store.pendingCount()).isBetween(2, 1_001);
				assertThat(store.<OAuth2AuthorizedClient>loadAuthorizedClient(LOGIN, "alice").block(BOUND))
					.as("the login")
					.isNotNull();

				this.clock.advance(Duration.ofMinutes(6));
				assertThat(store.pendingCount()).as("the login alone").isOne();
				proxy.release();
			});
		}
	}

	private ApplicationContextRunner instance(String connection) {
		return FleetTestSupport.instance(provider, this.clock, connection)
			.withBean(ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration()));
	}

	private static ClientRegistration registration() {
		return ClientRegistration.withRegistrationId(LOGIN)
			.clientId("app")
			.clientSecret("app-secret")
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
			.authorizationUri(provider.baseUrl() + "/authorize")
			.tokenUri(provider.baseUrl() + "/token")
			.scope("openid")
			.build();
	}

	private OAuth2AuthorizedClient session() {
		return session("L1");
	}

	private OAuth2AuthorizedClient session(String value) {
		return session(value, "alice");
	}

	private OAuth2AuthorizedClient session(String value, String principal) {
		Instant now = this.clock.instant();
		return new OAuth2AuthorizedClient(registration(), principal,
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plus(Duration.ofMinutes(5))),
				new OAuth2RefreshToken("R-" + value, now));
	}

}
