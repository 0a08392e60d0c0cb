package dev.tokenstarter.provider;

import java.time.Clock;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.test.DpopVerifyingServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Token requests of a DPoP provider (RFC 9449 section 5) against a token endpoint that verifies every proof as a
 * strict provider does (signature with the embedded key, typ, htm, htu, iat, jti replay): a fresh proof on every
 * request, retries included, through Spring Security's form client and our JSON client; the token is DPoP-bound
 * to the provider's key; a Bearer answer where DPoP was asked for is refused and never stored.
 */
class DpopTokenRequestTests {

	private static final String P = "token.providers.bank.";

	private final DpopVerifyingServer server = DpopVerifyingServer.start();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
		.withBean(Clock.class, Clock::systemUTC)
		.withPropertyValues(P + "token-uri=" + this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH,
				P + "client-id=app", P + "client-secret=s3cr3t", P + "dpop.enabled=true",
				P + "retry.initial-backoff=20ms", "token.scheduler.enabled=false");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void theTokenRequestCarriesAnEs256ProofOfTheProvidersKeyAndTheTokenIsDpopBound() throws Exception {
		this.runner.run((context) -> {
			ManagedToken token = context.getBean(TokenManager.class).token("bank").block();
			assertThat(token.accessToken().getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.DPOP);
			assertThat(this.server.refusals()).isEmpty();
			SignedJWT proof = onlyProof();
			assertThat(proof.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
			assertThat(((ECKey) proof.getHeader().getJWK()).getCurve()).isEqualTo(Curve.P_256);
			JWTClaimsSet claims = proof.getJWTClaimsSet();
			assertThat(claims.getStringClaim("htm")).isEqualTo("POST");
			assertThat(claims.getStringClaim("htu")).isEqualTo(this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH);
			assertThat(claims.getClaim("nonce")).isNull();
			String thumbprint = context.getBean(DpopKeys.class).current("bank").block().thumbprint();
			assertThat(this.server.boundKey(token.accessToken().getTokenValue())).isEqualTo(thumbprint);
		});
	}

	@Test
	void anRsaKeySignsRs256Proofs() {
		this.runner.withPropertyValues(P + "dpop.key-type=rsa").run((context) -> {
			context.getBean(TokenManager.class).token("bank").block();
			assertThat(this.server.refusals()).isEmpty();
			SignedJWT proof = onlyProof();
			assertThat(proof.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
			assertThat(proof.getHeader().getJWK()).isInstanceOf(RSAKey.class);
		});
	}

	@Test
	void everyRetryAndEveryRenewalCarriesAFreshProofOfTheSameKey() throws Exception {
		this.server.failNext(503, 503);
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token("bank").block();
			tokens.replaceRejected("bank", first).block();
			assertThat(this.server.refusals()).isEmpty();
			assertThat(this.server.tokensIssued()).isEqualTo(2);
			List<SignedJWT> proofs = this.server.tokenProofs();
			assertThat(proofs.get(0).getJWTClaimsSet().getJWTID())
				.isNotEqualTo(proofs.get(1).getJWTClaimsSet().getJWTID());
			assertThat(proofs.get(0).getHeader().getJWK()).isEqualTo(proofs.get(1).getHeader().getJWK());
		});
	}

	@Test
	void theJsonDialectAndATokenUriWithAQueryCarryProofsWithoutTheQuery() throws Exception {
		this.runner
			.withPropertyValues(P + "token-request-format=json",
					P + "token-uri=" + this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH + "?tenant=t1")
			.run((context) -> {
				assertThat(context.getBean(TokenManager.class).token("bank").block().accessToken().getTokenType())
					.isEqualTo(OAuth2AccessToken.TokenType.DPOP);
				assertThat(this.server.refusals()).isEmpty();
				assertThat(onlyProof().getJWTClaimsSet().getStringClaim("htu"))
					.isEqualTo(this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH);
			});
	}

	@Test
	void aBearerTokenWhereDpopWasAskedForIsRefusedAndNeverStored() {
		this.server.issuing("Bearer");
		this.runner.run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("bank").block())
				.withMessageContaining("where a DPoP-bound token was asked for");
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.loadAuthorizedClient("bank", "bank").blockOptional()).isEmpty();
		});
	}

	@Test
	void aProviderWithoutDpopSendsNoProof() {
		this.runner.withPropertyValues(P + "dpop.enabled=false").run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("bank").block());
			assertThat(this.server.refusals()).containsOnly("exactly one DPoP proof is required");
		});
	}

	private SignedJWT onlyProof() {
		assertThat(this.server.tokenProofs()).hasSize(1);
		return this.server.tokenProofs().get(0);
	}

}
