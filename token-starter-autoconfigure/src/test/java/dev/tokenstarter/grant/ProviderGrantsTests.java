package dev.tokenstarter.grant;

import java.time.Duration;
import java.time.Instant;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.refreshRequest;
import static dev.tokenstarter.test.TokenStubs.tokenWithRefresh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A renewal says which grant answered it: a token of the refresh token grant continues the session of the client
 * whose refresh token it spent, while one of the primary grant, after the provider refused the refresh, is a new
 * session (the engine stores the two differently once the old session was removed from the fleet).
 */
class ProviderGrantsTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final Authentication APPLICATION = new TestingAuthenticationToken("app", null);

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme");

	@Test
	void aTokenOfTheRefreshTokenGrantContinuesTheSession() {
		server.stubFor(refreshRequest().willReturn(tokenWithRefresh("RENEWED", 300, "R2")));
		this.runner.run((context) -> {
			ObtainedClient obtained = obtainFrom(context, "R1");
			assertThat(obtained.authorizedClient().getAccessToken().getTokenValue()).isEqualTo("RENEWED");
			assertThat(obtained.continuesSession()).isTrue();
		});
	}

	@Test
	void aTokenOfThePrimaryGrantAfterARefusedRefreshIsANewSession() {
		server.stubFor(refreshRequest().willReturn(error(400, "invalid_grant")));
		server.stubFor(clientCredentialsRequest().willReturn(tokenWithRefresh("NEW", 300, "R9")));
		this.runner.run((context) -> {
			ObtainedClient obtained = obtainFrom(context, "R1");
			assertThat(obtained.authorizedClient().getAccessToken().getTokenValue()).isEqualTo("NEW");
			assertThat(obtained.continuesSession()).isFalse();
		});
	}

	@Test
	void aTokenObtainedWithoutARefreshTokenIsANewSession() {
		server.stubFor(clientCredentialsRequest().willReturn(tokenWithRefresh("FIRST", 300, "R1")));
		this.runner.run((context) -> {
			ClientRegistration registration = registration(context);
			ObtainedClient obtained = grants(context, registration).obtain(registration, APPLICATION, null)
				.block(BOUND);
			assertThat(obtained.continuesSession()).isFalse();
		});
	}

	private ObtainedClient obtainFrom(AssertableApplicationContext context, String refreshToken) {
		ClientRegistration registration = registration(context);
		Instant now = this.clock.instant();
		OAuth2AuthorizedClient current = new OAuth2AuthorizedClient(registration, "app",
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "OLD", now.minusSeconds(400),
						now.minusSeconds(100)),
				new OAuth2RefreshToken(refreshToken, now.minusSeconds(400)));
		return grants(context, registration).obtain(registration, APPLICATION, current).block(BOUND);
	}

	private static ClientRegistration registration(AssertableApplicationContext context) {
		return context.getBean(TokenClientRegistrationRepository.class).findByRegistrationId("acme").block(BOUND);
	}

	private static ProviderGrants grants(AssertableApplicationContext context, ClientRegistration registration) {
		return context.getBean(TokenGrants.class).forRegistration(registration);
	}

}
