package dev.tokenstarter.user;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.autoconfigure.TokenUsersAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.GatedTokenLock;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;
import dev.tokenstarter.test.Wso2UserSessions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link UserTokens} on one instance with the in-memory store, against the strict WSO2 stub: what a sign-in
 * refuses, keeps and never shows, and how a user's key is kept apart from the provider's configured user.
 */
@ExtendWith(OutputCaptureExtension.class)
class UserTokensTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final String PASSWORD = "bob-pa55-never-shown";

	private static final String SERVICE_PASSWORD = "svc-pa55-never-shown";

	private final MutableClock clock = MutableClock.startingNow();

	private final Wso2UserSessions wso2 = new Wso2UserSessions(Map.of("bob", PASSWORD, "svc", SERVICE_PASSWORD),
			Duration.ofHours(1), this.clock);

	@RegisterExtension
	final WireMockExtension provider = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort()
			.extensions(this.wso2.tokenEndpoint(), this.wso2.revocationEndpoint(), this.wso2.api()))
		.build();

	private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

	private ApplicationContextRunner runner;

	@BeforeEach
	void setUp() {
		this.wso2.stubOn(this.provider, Duration.ZERO);
		this.runner = EngineTestSupport.runner(this.provider, this.clock, "wso2")
			.withConfiguration(AutoConfigurations.of(TokenUsersAutoConfiguration.class))
			.withPropertyValues(TokenStubs.providerProperties(this.provider, "acme"))
			.withPropertyValues("token.providers.wso2.type=wso2");
		this.logging.setLogLevel("dev.tokenstarter", LogLevel.TRACE);
		this.logging.setLogLevel("org.springframework.security", LogLevel.TRACE);
	}

	@AfterEach
	void resetLogging() {
		this.logging.setLogLevel("dev.tokenstarter", null);
		this.logging.setLogLevel("org.springframework.security", null);
	}

	@Test
	void aSignedInUserCallsTheApiAsThemselvesThroughARestClient() {
		this.runner.run((context) -> {
			TokenKey key = context.getBean(UserTokens.class).signIn("wso2", "bob", PASSWORD);
			RestClient api = context.getBean(TokenClients.class).restClient("wso2");
			String body = api.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(key)).retrieve().body(String.class);
			assertThat(body).isEqualTo("bob");
			this.provider.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withRequestBody(containing("grant_type=password"))
				.withRequestBody(containing("username=bob")));
		});
	}

	/**
	 * A user's {@code OAuth2AuthorizedClient} set on a request with Spring's {@code oauth2AuthorizedClient(...)},
	 * through a provider whose grant also serves the application's configured user: the request acts for the user,
	 * and must not go out with the application's token.
	 */
	@Test
	void aRequestCarryingAUsersAuthorizedClientActsForThatUser() {
		this.runner
			.withPropertyValues("token.providers.wso2.username=svc", "token.providers.wso2.password=" + SERVICE_PASSWORD)
			.run((context) -> {
				TokenKey key = context.getBean(UserTokens.class).signIn("wso2", "bob", PASSWORD);
				assertThat(callCarryingTheAuthorizedClientOf(context, key)).isEqualTo("bob");
				assertThat(context.getBean(TokenClients.class)
					.webClient("wso2")
					.get()
					.uri(API_PATH)
					.retrieve()
					.bodyToMono(String.class)
					.block(BOUND)).isEqualTo("svc");
			});
	}

	/**
	 * The engine's client of a user's key with scopes of its own is stored under the user's name and the
	 * request's fingerprint: passed on a request, it names that key, not a user of that name.
	 */
	@Test
	void aRequestCarryingTheAuthorizedClientOfAUsersScopedKeyActsForThatKey() {
		this.runner.withPropertyValues("token.providers.wso2.sessions=multiple").run((context) -> {
			context.getBean(UserTokens.class).signIn("wso2", "bob", PASSWORD);
			TokenKey scoped = TokenKey.forProvider("wso2").principal("bob").scopes("admin").build();
			assertThat(context.getBean(TokenManager.class).token(scoped).block(BOUND).authorizedClient()
				.getPrincipalName()).startsWith("bob#");
			assertThat(callCarryingTheAuthorizedClientOf(context, scoped)).isEqualTo("bob");
		});
	}

	/**
	 * Calls the provider's API through its WebClient with the engine's authorized client of a key set the way
	 * Spring's exchange filters take one ({@code oauth2AuthorizedClient(...)}), and returns whom the API saw.
	 */
	private static String callCarryingTheAuthorizedClientOf(ApplicationContext context, TokenKey key) {
		OAuth2AuthorizedClient client = context.getBean(TokenManager.class).token(key).block(BOUND).authorizedClient();
		return context.getBean(TokenClients.class)
			.webClient(key.registrationId())
			.get()
			.uri(API_PATH)
			.attributes(ServerOAuth2AuthorizedClientExchangeFilterFunction.oauth2AuthorizedClient(client))
			.retrieve()
			.bodyToMono(String.class)
			.block(BOUND);
	}

	@Test
	void usersCannotSignInToAProviderWithoutThePasswordGrant() {
		this.runner.run((context) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> context.getBean(UserTokens.class).signIn("acme", "bob", PASSWORD))
			.withMessageContaining("'acme' does not use the password grant"));
	}

	@Test
	void aRefusedPasswordFailsTheSignInAndIsNotKept() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> users.signIn("wso2", "bob", "wrong-guess"))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_grant"));
			assertThat(users.holdsCredentials("wso2", "bob")).isFalse();
			assertThat(this.wso2.refusedPasswords()).isEqualTo(1);
		});
	}

	@Test
	void aPasswordRefusedOnASilentSignInIsDroppedAndNeverOfferedAgain() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			this.wso2.changePassword("bob", "changed-elsewhere");
			this.wso2.endSessionOf("bob");
			ManagedToken revoked = tokens.usableToken(key);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.replaceRejected(key, revoked).block(BOUND))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_grant"));
			assertThat(users.holdsCredentials("wso2", "bob")).isFalse();
			this.clock.advance(Duration.ofMinutes(1));
			assertThatExceptionOfType(SignInRequiredException.class).isThrownBy(() -> tokens.token(key).block(BOUND));
			assertThat(this.wso2.refusedPasswords()).isEqualTo(1);
		});
	}

	@Test
	void aUserToldToSignInCanSignInAtOnce() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(SignInRequiredException.class)
				.isThrownBy(() -> tokens.token(users.key("wso2", "bob")).block(BOUND));
			// Within the failure's cooldown: the new credentials, not the old failure, decide.
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			assertThat(tokens.token(key).block(BOUND).accessToken().getTokenValue())
				.isEqualTo(this.wso2.liveToken("bob"));
		});
	}

	/**
	 * A sign-in served by the user's valid token proves nothing of its password: a wrong one (typed on a second
	 * device, or posted by anyone who knows the user's name) must not displace the one the provider took, or the
	 * next silent sign-in offers it and the provider counts a failed login against the user.
	 */
	@Test
	void aSignInServedByAValidTokenDoesNotDisplaceAProvenPassword() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			assertThat(users.signIn("wso2", "bob", "a-wrong-guess")).isEqualTo(key);
			this.wso2.endSessionOf("bob");
			ManagedToken revoked = tokens.usableToken(key);
			assertThat(tokens.replaceRejected(key, revoked).block(BOUND).accessToken().getTokenValue())
				.isEqualTo(this.wso2.liveToken("bob"));
			assertThat(this.wso2.refusedPasswords()).isZero();
		});
	}

	/**
	 * A wrong password signed in with while the right one is on its way to the provider joins that sign-in's
	 * token request, and succeeds by it: the request's success proves the password it sent, not the one that
	 * joined, which must not displace it for the next silent sign-in.
	 */
	@Test
	void aSignInThatJoinsAnotherOnItsWayDoesNotDisplaceThePasswordSent() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenManager tokens = context.getBean(TokenManager.class);
			this.provider.stubFor(post(urlPathEqualTo(TokenStubs.TOKEN_PATH)).atPriority(1)
				.withRequestBody(containing("password=" + PASSWORD))
				.willReturn(aResponse().withTransformers(this.wso2.tokenEndpoint().getName()).withFixedDelay(1000)));
			CompletableFuture<TokenKey> first = CompletableFuture.supplyAsync(() -> users.signIn("wso2", "bob", PASSWORD));
			await().atMost(BOUND).until(() -> this.wso2.passwordGrants("bob") == 1);
			TokenKey key = users.signIn("wso2", "bob", "a-wrong-guess");
			assertThat(first).succeedsWithin(BOUND).isEqualTo(key);
			// Proven, the password stays through a later wrong sign-in that the valid token serves.
			assertThat(users.signIn("wso2", "bob", "another-wrong-guess")).isEqualTo(key);
			this.wso2.endSessionOf("bob");
			assertThat(tokens.replaceRejected(key, tokens.usableToken(key)).block(BOUND).accessToken().getTokenValue())
				.isEqualTo(this.wso2.liveToken("bob"));
			assertThat(this.wso2.refusedPasswords()).isZero();
		});
	}

	/**
	 * A user who changed the password signs in while a renewal with the old one is under way: the sign-in must be
	 * decided by the new password, not fail with the old one's refusal and then put the refused one back.
	 */
	@Test
	void aSignInDuringARenewalWithTheOldPasswordIsDecidedByTheNewOne() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			this.wso2.changePassword("bob", "new-pa55");
			this.wso2.endSessionOf("bob");
			ManagedToken revoked = tokens.usableToken(key);
			// The refused old password comes back late: the sign-in joins the renewal meanwhile.
			this.provider.stubFor(post(urlPathEqualTo(TokenStubs.TOKEN_PATH)).atPriority(1)
				.withRequestBody(containing("password=" + PASSWORD))
				.willReturn(aResponse().withTransformers(this.wso2.tokenEndpoint().getName()).withFixedDelay(1000)));
			CompletableFuture<ManagedToken> renewal = tokens.replaceRejected(key, revoked).toFuture();
			// Refused as it arrives, answered a second later.
			await().atMost(BOUND).until(() -> this.wso2.refusedPasswords() == 1);
			assertThat(renewal).isNotDone();

			assertThat(users.signIn("wso2", "bob", "new-pa55")).isEqualTo(key);
			assertThat(renewal).failsWithin(BOUND);
			assertThat(this.wso2.refusedPasswords()).isEqualTo(1);
			this.wso2.endSessionOf("bob");
			assertThat(tokens.replaceRejected(key, tokens.usableToken(key)).block(BOUND).accessToken().getTokenValue())
				.isEqualTo(this.wso2.liveToken("bob"));
			assertThat(this.wso2.refusedPasswords()).isEqualTo(1);
		});
	}

	@Test
	void aUsersKeyNeverGetsTheConfiguredUsersCredentials() {
		this.runner
			.withPropertyValues("token.providers.wso2.username=svc", "token.providers.wso2.password=" + SERVICE_PASSWORD)
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThatExceptionOfType(SignInRequiredException.class)
					.isThrownBy(() -> tokens.token(context.getBean(UserTokens.class).key("wso2", "bob")).block(BOUND));
				assertThat(this.wso2.passwordGrants("svc")).isZero();
				assertThat(tokens.token("wso2").block(BOUND).accessToken().getTokenValue())
					.isEqualTo(this.wso2.liveToken("svc"));
			});
	}

	@Test
	void aUsersKeyWithScopesOfItsOwnIsRefusedByASingleSessionProvider() {
		this.runner.run((context) -> {
			context.getBean(UserTokens.class).signIn("wso2", "bob", PASSWORD);
			TokenKey other = TokenKey.forProvider("wso2").principal("bob").scopes("admin").build();
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token(other).block(BOUND))
				.withMessageContaining("single session");
			assertThat(this.wso2.passwordGrants("bob")).isEqualTo(1);
		});
	}

	@Test
	void signingOutWithoutARevocationEndpointForgetsTheTokenAndThePassword() {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			users.signOut("wso2", "bob");
			assertThat(this.wso2.revocations()).isZero();
			assertThat(users.holdsCredentials("wso2", "bob")).isFalse();
			assertThat(context.getBean(TokenManager.class).usableToken(key)).isNull();
		});
	}

	/**
	 * A sign-out while a new sign-in's token request is under way ends the user's session for good: the sign-in
	 * failing afterwards (the provider answered 503) must not put back the password of the sign-in before, which
	 * would sign the user in again silently at the next call.
	 */
	@Test
	void aSignInThatFailsAfterASignOutDoesNotBringThePreviousPasswordBack() {
		this.runner.withPropertyValues("token.providers.wso2.retry.max-attempts=1").run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			// The token goes, the password stays: the next sign-in asks the provider.
			context.getBean(TokenManager.class).revoke(key).block(BOUND);
			this.provider.stubFor(post(urlPathEqualTo(TokenStubs.TOKEN_PATH)).atPriority(1)
				.withRequestBody(containing("password=new-pa55"))
				.willReturn(aResponse().withStatus(503).withFixedDelay(1500)));
			CompletableFuture<TokenKey> signIn = CompletableFuture.supplyAsync(() -> users.signIn("wso2", "bob",
					"new-pa55"));
			await().atMost(BOUND)
				.until(() -> TokenStubs.count(this.provider,
						postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
							.withRequestBody(containing("password=new-pa55"))) == 1);
			CompletableFuture<Void> signOut = CompletableFuture.runAsync(() -> users.signOut("wso2", "bob"));
			assertThat(signIn).failsWithin(BOUND);
			assertThat(signOut).succeedsWithin(BOUND);
			assertThat(users.holdsCredentials("wso2", "bob")).isFalse();
		});
	}

	/**
	 * A renewal of the user's token (the API rejected it) that began before a sign-out (it holds the token, refresh
	 * token included) and reaches the lock after it: renewing from that token would bring the session back, refresh
	 * token and all, though the provider has no revocation endpoint to have ended it.
	 */
	@Test
	void aRenewalUnderWayWhenTheUserSignsOutDoesNotBringTheSessionBack() {
		GatedTokenLock lock = new GatedTokenLock();
		this.runner.withBean(TokenLock.class, () -> lock).run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			ManagedToken rejected = tokens.token(key).block(BOUND);
			lock.holdNextCaller();
			CompletableFuture<ManagedToken> renewal = tokens.replaceRejected(key, rejected).toFuture();
			await().atMost(BOUND).until(lock::isHolding);
			users.signOut("wso2", "bob");
			lock.open();

			assertThat(renewal).failsWithin(BOUND)
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(TokenAcquisitionException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(TokenErrors.SIGN_IN_REQUIRED));
			assertThat(this.wso2.refreshes()).as("refreshes of the ended session").isZero();
			assertThat(tokens.usableToken(key)).isNull();
		});
	}

	@Test
	void thePasswordReachesNoLogExceptionOrDescription(CapturedOutput output) {
		this.runner.run((context) -> {
			UserTokens users = context.getBean(UserTokens.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> users.signIn("wso2", "bob", PASSWORD + "-typo"))
				.satisfies((ex) -> assertThat(ex).hasMessageNotContaining(PASSWORD));
			TokenKey key = users.signIn("wso2", "bob", PASSWORD);
			this.wso2.endSessionOf("bob");
			RestClient api = context.getBean(TokenClients.class).restClient("wso2");
			assertThat(api.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(key)).retrieve().body(String.class))
				.isEqualTo("bob");
			assertThat(this.wso2.passwordGrants("bob")).isEqualTo(2);
			assertThat(context.getBean(SignedInUsers.class)).hasToString("SignedInUsers[1 user(s)]");
			assertThat(context.getBean(UserTokens.class).toString()).doesNotContain(PASSWORD);
			assertThat(key.toString()).doesNotContain("bob");
		});
		assertThat(output).contains("900901").doesNotContain(PASSWORD);
	}

}
