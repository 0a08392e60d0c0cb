package dev.tokenstarter.store;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.PasswordCredentials;
import dev.tokenstarter.grant.PasswordCredentialsResolver;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A password-grant provider's tokens belong to the user it signs in as: once the application is configured
 * with another user, the token the shared store holds for the previous user is never handed out.
 */
class PasswordGrantUserChangeTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Test
	void restartedWithAnotherUserSignsInAsThatUserInsteadOfUsingThePreviousUsersStoredToken() {
		provider.stubFor(tokenRequest().withRequestBody(containing("username=alice")).willReturn(token("ALICE", 300)));
		provider.stubFor(tokenRequest().withRequestBody(containing("username=bob")).willReturn(token("BOB", 300)));
		signedInAs("alice").run((context) -> assertThat(tokenValue(context.getBean(TokenManager.class)))
			.isEqualTo("ALICE"));
		assertThat(redis.server().entriesHoldingTokens("token-starter:client:*")).hasSize(1);

		signedInAs("bob").run((context) -> assertThat(tokenValue(context.getBean(TokenManager.class)))
			.isEqualTo("BOB"));

		assertThat(count(provider, tokenRequests().withRequestBody(containing("username=alice")))).isEqualTo(1);
		assertThat(count(provider, tokenRequests().withRequestBody(containing("username=bob")))).isEqualTo(1);
		assertThat(redis.server().entriesHoldingTokens("token-starter:client:*")).hasSize(2);
	}

	@Test
	void sameUserAgainSharesTheStoredToken() {
		provider.stubFor(tokenRequest().willReturn(token("ALICE", 300)));
		signedInAs("alice").run((context) -> tokenValue(context.getBean(TokenManager.class)));
		signedInAs("alice").run((context) -> assertThat(tokenValue(context.getBean(TokenManager.class)))
			.isEqualTo("ALICE"));
		assertThat(count(provider, tokenRequests())).isEqualTo(1);
	}

	@Test
	void customResolverSigningInAsAnotherUserThanTheConfiguredOneIsRefused() {
		provider.stubFor(tokenRequest().willReturn(token("MALLORY", 300)));
		signedInAs("alice")
			.withBean(PasswordCredentialsResolver.class,
					() -> (registration, principal) -> Mono.just(new PasswordCredentials("mallory", "from-a-vault")))
			.run((context) -> assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokenValue(context.getBean(TokenManager.class)))
				.withMessageContaining("token.providers.acme.username")
				.withMessageNotContaining("mallory")
				.withMessageNotContaining("from-a-vault"));
		assertThat(count(provider, tokenRequests())).isZero();
	}

	@Test
	void customResolverSigningInAsTheConfiguredUserIsUsed() {
		provider.stubFor(tokenRequest().withRequestBody(containing("password=from-a-vault"))
			.willReturn(token("ALICE", 300)));
		signedInAs("alice")
			.withBean(PasswordCredentialsResolver.class,
					() -> (registration, principal) -> Mono.just(new PasswordCredentials("alice", "from-a-vault")))
			.run((context) -> assertThat(tokenValue(context.getBean(TokenManager.class))).isEqualTo("ALICE"));
	}

	private static ApplicationContextRunner signedInAs(String username) {
		return FleetTestSupport.instance(redis.server(), provider, MutableClock.startingNow())
			.withPropertyValues("token.providers.acme.grant-type=password",
					"token.providers.acme.username=" + username, "token.providers.acme.password=secret-of-" + username);
	}

	private static String tokenValue(TokenManager tokens) {
		return tokens.token("acme").block().accessToken().getTokenValue();
	}

}
