package dev.tokenstarter.client;

import java.net.URI;
import java.time.Clock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpMethod;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.ssl.DpopProofs;
import dev.tokenstarter.test.DpopVerifyingServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The last line of defence of a DPoP-bound token: a call with a token that the instance has no key for is never
 * sent (no proof of another key is accepted with it, and without a proof it would go out as a bearer token), and
 * the caller is told why with a {@link TokenAcquisitionException}, as for any token that cannot be had, not with
 * an internal error.
 */
class UnboundDpopTokenTests {

	private static final String P = "token.providers.bank.";

	private final DpopVerifyingServer server = DpopVerifyingServer.start();

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void aTokenWithoutAKeyHereFailsTheCallWithATokenAcquisitionExceptionNamingWhy() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
			.withBean(Clock.class, Clock::systemUTC)
			.withPropertyValues(P + "token-uri=" + this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH,
					P + "client-id=app", P + "client-secret=s3cr3t", P + "dpop.enabled=true",
					"token.scheduler.enabled=false")
			.run((context) -> {
				ManagedToken token = context.getBean(TokenManager.class).token("bank").block();
				TokenSettings settings = context.getBean(TokenSettings.class);
				// Another instance's keys: none of them is the token's.
				ProviderApi elsewhere = ProviderApi.of(settings.provider("bank"),
						new DpopProofs(new DpopKeys(settings), Clock.systemUTC()), false);
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> elsewhere.dpopProof(HttpMethod.GET, URI.create(this.server.baseUrl()), token))
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(TokenErrors.DPOP_KEY_UNAVAILABLE))
					.withMessageContaining("'bank'")
					.withMessageNotContaining(token.accessToken().getTokenValue());
			});
	}

}
