package dev.tokenstarter.grant;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token request sent as JSON (Nomba, {@code token-request-format: json}) carries the client secret, a password
 * or a refresh token in its body: Spring's JSON encoder logs the values it writes at DEBUG (cut to 100
 * characters) and TRACE (whole), as its form writer does not, so with Spring's web logging turned up to find a
 * fault they must not be there to log.
 */
@ExtendWith(OutputCaptureExtension.class)
class JsonTokenRequestLoggingTests {

	private static final String SECRET = "canary-secret-4e1b7a";

	private static final String PASSWORD = "canary-password-9c3d";

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

	private final MutableClock clock = MutableClock.startingNow();

	@AfterEach
	void resetLogLevel() {
		this.logging.setLogLevel("org.springframework", null);
	}

	@Test
	void aJsonTokenRequestsSecretsReachNoLogAtTrace(CapturedOutput output) {
		this.logging.setLogLevel("org.springframework", LogLevel.TRACE);
		provider.stubFor(tokenRequest().withHeader("Content-Type", containing("application/json"))
			.willReturn(token("JSON-TOKEN", 300)));
		EngineTestSupport.runner(provider, this.clock, "acme")
			.withPropertyValues("token.providers.acme.token-request-format=json",
					"token.providers.acme.client-authentication=client_secret_post",
					"token.providers.acme.client-secret=" + SECRET, "token.providers.acme.grant-type=password",
					"token.providers.acme.username=svc", "token.providers.acme.password=" + PASSWORD)
			.run((context) -> {
				assertThat(context.getBean(TokenManager.class)
					.token("acme")
					.block(Duration.ofSeconds(30))
					.accessToken()
					.getTokenValue()).isEqualTo("JSON-TOKEN");
				provider.verify(tokenRequests().withRequestBody(containing(SECRET))
					.withRequestBody(containing(PASSWORD))
					.withHeader("Content-Type", equalTo("application/json")));
			});
		assertThat(output.getAll()).contains("Writing").doesNotContain(SECRET, PASSWORD);
	}

}
