package dev.tokenstarter.provider;

import java.time.Clock;

import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.AssertionAuthorizationServer;
import dev.tokenstarter.test.SigningKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * private_key_jwt end to end against Spring Authorization Server, whose JwtClientAssertionAuthenticationProvider
 * checks the assertion with the client's published keys: the client's key signs, a key the client never
 * published is refused.
 */
class ClientAssertionAuthorizationServerTests {

	private static final String P = "token.providers.sas.";

	private static final SigningKeys keys = SigningKeys.create().rsa("published", 2048).rsa("unknown", 2048);

	private static AssertionAuthorizationServer server;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
		.withBean(Clock.class, Clock::systemUTC)
		.withPropertyValues(P + "token-uri=" + server.tokenUri(), P + "client-id=" + AssertionAuthorizationServer.CLIENT_ID,
				P + "client-authentication=private_key_jwt", P + "scopes=payments", P + "retry.max-attempts=1",
				"token.scheduler.enabled=false");

	@BeforeAll
	static void start() {
		server = AssertionAuthorizationServer.start(new JWKSet(keys.jwk("published")));
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void theServerAcceptsAnAssertionSignedWithThePublishedKey() {
		this.runner.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("published.jwk", "published"))
			.run((context) -> assertThat(
					context.getBean(TokenManager.class).token("sas").block().accessToken().getScopes())
				.containsExactly("payments"));
	}

	@Test
	void theServerRefusesAnAssertionSignedWithAnotherKey() {
		this.runner.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("unknown.jwk", "unknown"))
			.run((context) -> assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("sas").block())
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_client")));
	}

}
