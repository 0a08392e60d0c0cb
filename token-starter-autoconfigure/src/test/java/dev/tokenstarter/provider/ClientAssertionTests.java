package dev.tokenstarter.provider;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.AssertionVerifyingTokenEndpoint;
import dev.tokenstarter.test.SigningKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client assertions (RFC 7523 section 2.2) against a token endpoint that verifies them as a strict provider
 * does, signature, claims and {@code jti} replay included: keys from PEM and key store SSL bundles and from JWK
 * files, RS256, PS256, ES256 and client_secret_jwt's HS256, rotation, the issuer as audience, and a fresh
 * assertion for every request, retries and revocations included, through Spring Security's form clients and our
 * own JSON and password-grant clients.
 */
class ClientAssertionTests {

	private static final String P = "token.providers.entra.";

	private static final String SECRET = "a-client-secret-of-more-than-32-bytes";

	private static final SigningKeys keys = SigningKeys.create()
		.rsa("entra", 2048)
		.rsa("signer", 3072)
		.ec("ec", "secp256r1")
		.rsa("new", 2048)
		.rsa("old", 2048);

	private final AssertionVerifyingTokenEndpoint endpoint = AssertionVerifyingTokenEndpoint.start("app-id");

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenEngineAutoConfiguration.class))
		.withBean(Clock.class, Clock::systemUTC)
		.withPropertyValues(P + "token-uri=" + this.endpoint.baseUrl() + AssertionVerifyingTokenEndpoint.TOKEN_PATH,
				P + "client-id=app-id", P + "retry.initial-backoff=20ms", "token.scheduler.enabled=false");

	private final ApplicationContextRunner privateKeyJwt = this.runner
		.withPropertyValues(P + "client-authentication=private_key_jwt");

	@AfterEach
	void stop() {
		this.endpoint.close();
	}

	@Test
	void rs256FromAPemBundleCarriesTheCertificatesThumbprintsAndNoSecret() throws Exception {
		this.endpoint.trusting(keys.jwk("entra"));
		this.privateKeyJwt.withPropertyValues(keys.pemBundle("entra", "entra"))
			.withPropertyValues(P + "client-assertion.ssl-bundles=entra")
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				SignedJWT assertion = onlyAccepted();
				assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
				byte[] certificate = keys.jwk("entra").getX509CertChain().get(0).decode();
				assertThat(assertion.getHeader().getX509CertThumbprint())
					.isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(certificate)));
				assertThat(assertion.getHeader().getX509CertSHA256Thumbprint())
					.isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate)));
				assertThat(assertion.getHeader().getKeyID()).isNull();
				Map<String, String> request = this.endpoint.requests().get(0);
				assertThat(request).containsEntry("client_id", "app-id")
					.containsEntry("grant_type", "client_credentials")
					.doesNotContainKey("client_secret");
			});
	}

	@Test
	void ps256FromAKeyStoreBundlesAliasWithAConfiguredKeyId() {
		this.endpoint.trusting(keys.jwk("signer"));
		this.privateKeyJwt.withPropertyValues(keys.keyStoreBundle("signer", "signer", "signer"))
			.withPropertyValues(P + "client-assertion.ssl-bundles=signer", P + "client-assertion.algorithm=ps256",
					P + "client-assertion.key-id=key-2026")
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				SignedJWT assertion = onlyAccepted();
				assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
				assertThat(assertion.getHeader().getKeyID()).isEqualTo("key-2026");
			});
	}

	/**
	 * A key store made by keytool protects its key with the store's password, and Spring Boot reads a bundle's key
	 * with that password when {@code key.password} is not set: so does the assertion's key.
	 */
	@Test
	void aKeyStoreBundleWithoutAKeyPasswordReadsTheKeyWithTheStoresPassword() {
		this.endpoint.trusting(keys.jwk("signer"));
		this.privateKeyJwt
			.withPropertyValues(Arrays.stream(keys.keyStoreBundle("signer", "signer", "signer"))
				.filter((property) -> !property.contains(".key.password="))
				.toArray(String[]::new))
			.withPropertyValues(P + "client-assertion.ssl-bundles=signer")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
			});
	}

	@Test
	void es256FromAJwkFileTakesTheJwksKeyId() {
		this.endpoint.trusting(keys.jwk("ec"));
		this.privateKeyJwt.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("ec.jwk", "ec"))
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				SignedJWT assertion = onlyAccepted();
				assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
				assertThat(assertion.getHeader().getKeyID()).isEqualTo("ec");
			});
	}

	@Test
	void clientSecretJwtSignsWithHs256AndNeverSendsTheSecret() {
		this.endpoint.sharingSecret(SECRET);
		this.runner.withPropertyValues(P + "client-authentication=client_secret_jwt", P + "client-secret=" + SECRET)
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				assertThat(onlyAccepted().getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
				assertThat(this.endpoint.requests().get(0).values()).noneMatch((value) -> value.contains(SECRET));
			});
	}

	@Test
	void aTokenExchangeIsAuthenticatedWithAnAssertionToo() {
		this.endpoint.trusting(keys.jwk("ec"));
		OAuth2AccessToken subject = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "users-token",
				Instant.now(), Instant.now().plusSeconds(300));
		this.privateKeyJwt.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("exchange.jwk", "ec"))
			.withPropertyValues(P + "grant-type=token-exchange", P + "audience=orders-api")
			.run((context) -> {
				TokenKey key = TokenKey.forProvider("entra").subjectToken(subject).build();
				assertThat(context.getBean(TokenManager.class).token(key).block().accessToken().getTokenValue())
					.isEqualTo("AT-1");
				onlyAccepted();
				assertThat(this.endpoint.requests().get(0)).containsEntry("grant_type",
						"urn:ietf:params:oauth:grant-type:token-exchange");
			});
	}

	@ParameterizedTest(name = "token-request-format={0}")
	@ValueSource(strings = { "form", "json" })
	void aRetriedRequestCarriesAFreshAssertion(String format) {
		this.endpoint.trusting(keys.jwk("ec"));
		this.endpoint.failNext(503, 503);
		this.privateKeyJwt
			.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("ec.jwk", "ec"),
					P + "token-request-format=" + format)
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				assertThat(this.endpoint.refusals()).isEmpty();
				List<String> jtis = this.endpoint.accepted().stream().map(ClientAssertionTests::jti).toList();
				assertThat(jtis).hasSize(3).doesNotHaveDuplicates();
			});
	}

	@Test
	void thePasswordGrantAndRevocationsAreAuthenticatedWithAssertionsToo() {
		this.endpoint.trusting(keys.jwk("ec"));
		this.privateKeyJwt
			.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("ec.jwk", "ec"), P + "grant-type=password",
					P + "username=bob", P + "password=bobs-password",
					P + "revoke-uri=" + this.endpoint.baseUrl() + AssertionVerifyingTokenEndpoint.REVOKE_PATH)
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThat(token(tokens)).isEqualTo("AT-1");
				tokens.revoke("entra").block();
				assertThat(this.endpoint.refusals()).isEmpty();
				assertThat(this.endpoint.requests()).hasSize(2);
				assertThat(this.endpoint.requests().get(0)).containsEntry("grant_type", "password");
				assertThat(this.endpoint.requests().get(1)).containsEntry("token", "AT-1");
				assertThat(this.endpoint.accepted()).hasSize(2);
			});
	}

	@Test
	void withTwoKeysTheFirstSignsSoARotationIsAChangeOfOrder() {
		this.endpoint.trusting(keys.jwk("new"), keys.jwk("old"));
		this.privateKeyJwt
			.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkSetFile("rotation.jwks", "new", "old"))
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				assertThat(onlyAccepted().getHeader().getKeyID()).isEqualTo("new");
			});
	}

	@Test
	void withTwoBundlesTheFirstSigns() {
		this.endpoint.trusting(keys.jwk("old"));
		this.privateKeyJwt.withPropertyValues(keys.pemBundle("old", "old"))
			.withPropertyValues(keys.pemBundle("new", "new"))
			.withPropertyValues(P + "client-assertion.ssl-bundles=old,new")
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				assertThat(onlyAccepted().getHeader().getX509CertSHA256Thumbprint())
					.isEqualTo(keys.jwk("old").getX509CertSHA256Thumbprint());
			});
	}

	@Test
	void theAudienceCanBeTheIssuer() {
		String issuer = this.endpoint.baseUrl() + "/realms/payments";
		this.endpoint.trusting(keys.jwk("ec")).expectingAudience(issuer);
		this.privateKeyJwt
			.withPropertyValues(P + "client-assertion.jwk=" + keys.jwkFile("ec.jwk", "ec"),
					P + "client-assertion.audience=issuer", P + "issuer-uri=" + issuer)
			.run((context) -> {
				assertThat(token(context.getBean(TokenManager.class))).isEqualTo("AT-1");
				assertThat(onlyAccepted().getJWTClaimsSet().getAudience()).containsExactly(issuer);
			});
	}

	private static String token(TokenManager tokens) {
		return tokens.token("entra").block().accessToken().getTokenValue();
	}

	private SignedJWT onlyAccepted() {
		assertThat(this.endpoint.refusals()).isEmpty();
		assertThat(this.endpoint.accepted()).hasSize(1);
		return this.endpoint.accepted().get(0);
	}

	private static String jti(SignedJWT jwt) {
		try {
			return jwt.getJWTClaimsSet().getJWTID();
		}
		catch (java.text.ParseException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
