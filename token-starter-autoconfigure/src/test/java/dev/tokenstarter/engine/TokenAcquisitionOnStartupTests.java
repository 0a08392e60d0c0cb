package dev.tokenstarter.engine;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tokenstarter.grant.TokenGrants;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

/**
 * {@code acquire-on-startup} warms the cache before the first call; with {@code fail-on-startup-error}, wrong
 * credentials stop the start-up instead of going live.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenAcquisitionOnStartupTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, MutableClock.startingNow(),
			"acme");

	@Test
	void withoutTheSettingNoTokenIsRequestedAtStartUp() {
		server.stubFor(clientCredentialsRequest().willReturn(token("EARLY", 300)));
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(count(server, tokenRequests())).isZero();
		});
	}

	/**
	 * What every token request needs (the registration, the token endpoint's client, the application key) is
	 * built at start-up, in the background, and not by the first call: in a fresh JVM building it takes a few
	 * hundred milliseconds, and at a cold start of the fleet every instance's first call needs it at once. Holding
	 * the key, the instance takes the fleet's token from another instance's change message before its first call.
	 */
	@Test
	void withoutTheSettingTheProvidersTokenRequestsArePreparedWithoutATokenRequest() {
		server.stubFor(clientCredentialsRequest().willReturn(token("EARLY", 300)));
		TokenGrants[] grants = new TokenGrants[1];
		this.runner.withBean(BeanPostProcessor.class, () -> spying(grants)).run((context) -> {
			assertThat(context).hasNotFailed();
			verify(grants[0], timeout(Duration.ofSeconds(10).toMillis()))
				.forRegistration(argThat((registration) -> "acme".equals(registration.getRegistrationId())));
			await().atMost(Duration.ofSeconds(10)).until(() -> context.getBean(TokenManager.class).heldKeys() == 1);
			assertThat(count(server, tokenRequests())).isZero();
		});
	}

	/**
	 * A token exchange has no token of the application's own, only its subjects': its token endpoint's client is
	 * built, and no key is.
	 */
	@Test
	void aProviderWithoutAnApplicationTokenIsPreparedWithoutAKey(CapturedOutput output) {
		TokenGrants[] grants = new TokenGrants[1];
		this.runner.withBean(BeanPostProcessor.class, () -> spying(grants))
			.withPropertyValues("token.providers.acme.grant-type=token-exchange",
					"token.providers.acme.audience=orders-api")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				verify(grants[0], timeout(Duration.ofSeconds(10).toMillis()))
					.forRegistration(argThat((registration) -> "acme".equals(registration.getRegistrationId())));
				assertThat(context.getBean(TokenManager.class).heldKeys()).isZero();
				assertThat(output).doesNotContain("Could not prepare");
				assertThat(count(server, tokenRequests())).isZero();
			});
	}

	/**
	 * Replaces the token grants bean with a spy, kept in {@code grants}.
	 */
	private static BeanPostProcessor spying(TokenGrants[] grants) {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof TokenGrants built) {
					grants[0] = spy(built);
					return grants[0];
				}
				return bean;
			}

		};
	}

	@Test
	void theTokenIsObtainedDuringStartUpAndServedToTheFirstCallWithoutWaiting() {
		server.stubFor(clientCredentialsRequest().willReturn(token("EARLY", 300)));
		this.runner.withPropertyValues("token.providers.acme.acquire-on-startup=true").run((context) -> {
			assertThat(count(server, tokenRequests())).isEqualTo(1);
			ManagedToken held = context.getBean(TokenManager.class).usableToken("acme");
			assertThat(held).isNotNull();
			assertThat(held.accessToken().getTokenValue()).isEqualTo("EARLY");
		});
	}

	@Test
	void theDefaultsCanAskEveryProviderToAcquireAtStartUp() {
		server.stubFor(clientCredentialsRequest().willReturn(token("EARLY", 300)));
		this.runner.withPropertyValues("token.defaults.acquire-on-startup=true")
			.run((context) -> assertThat(count(server, tokenRequests())).isEqualTo(1));
	}

	/**
	 * A password provider without a user of its own serves users who sign in: there is no application token to
	 * obtain at start-up, and asking for one would fail it (missing credentials) or mark the provider failing.
	 */
	@Test
	void theDefaultsDoNotAskAPasswordProviderWithoutAUserToAcquireAtStartUp() {
		this.runner
			.withPropertyValues("token.defaults.acquire-on-startup=true", "token.defaults.fail-on-startup-error=true",
					"token.providers.acme.grant-type=password")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TokenManager.class).status("acme").lastError()).isNull();
				assertThat(count(server, tokenRequests())).isZero();
			});
	}

	@Test
	void wrongCredentialsStopTheStartUpWhenAsked() {
		server.stubFor(clientCredentialsRequest().willReturn(error(401, "invalid_client")));
		this.runner
			.withPropertyValues("token.providers.acme.acquire-on-startup=true",
					"token.providers.acme.fail-on-startup-error=true")
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining("provider 'acme'")
				.hasMessageContaining("invalid_client")
				.hasMessageContaining("token.providers.acme.fail-on-startup-error")
				.message()
				.doesNotContain("secret-acme"));
	}

	@Test
	void wrongCredentialsAreLoggedAndTheApplicationStartsWhenNotAskedToFail(CapturedOutput output) {
		server.stubFor(clientCredentialsRequest().willReturn(error(401, "invalid_client")));
		this.runner.withPropertyValues("token.providers.acme.acquire-on-startup=true").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("invalid_client", "the first call will try again");
		});
	}

}
