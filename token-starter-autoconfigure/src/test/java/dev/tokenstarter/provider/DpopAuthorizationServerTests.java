package dev.tokenstarter.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.autoconfigure.TokenActuatorAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.observe.TokensEndpoint;
import dev.tokenstarter.ssl.DpopKey;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.test.DpopAuthorizationServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * DPoP (RFC 9449) against Spring Authorization Server and a Spring Security resource server in the test JVM: the
 * server verifies the starter's proofs of both key types at the token endpoint and binds its tokens to the
 * starter's key; the resource server accepts the starter's API calls and refuses the same token without a proof
 * of its key. The verdicts are the servers' own: what they answered and which key the accepted tokens named.
 */
class DpopAuthorizationServerTests {

	private static final String P = "token.providers.sas.";

	private static final String API = "/api/accounts";

	private static DpopAuthorizationServer server;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
		.withBean(Clock.class, Clock::systemUTC)
		.withPropertyValues(P + "token-uri=" + server.tokenUri(), P + "client-id=" + DpopAuthorizationServer.CLIENT_ID,
				P + "client-secret=" + DpopAuthorizationServer.CLIENT_SECRET, P + "scopes=accounts",
				P + "base-url=" + server.baseUrl(), P + "dpop.enabled=true", P + "retry.max-attempts=1",
				"token.scheduler.enabled=false");

	@BeforeAll
	static void start() {
		server = DpopAuthorizationServer.start();
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@BeforeEach
	void reset() {
		server.reset();
	}

	@ParameterizedTest(name = "{0} key")
	@ValueSource(strings = { "ec", "rsa" })
	void theServerBindsItsTokenToTheStartersKeyAndAcceptsTheStartersApiCalls(String keyType) {
		this.runner.withPropertyValues(P + "dpop.key-type=" + keyType).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			OAuth2AccessToken token = tokens.token("sas").block().accessToken();
			assertThat(token.getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.DPOP);
			assertThat(tokens.token("sas").block().accessToken().getTokenValue()).isEqualTo(token.getTokenValue());
			DpopKey key = context.getBean(DpopKeys.class).current("sas").block();
			assertThat(key.publicJwk().getKeyType()).isEqualTo(keyType.equals("rsa") ? KeyType.RSA : KeyType.EC);
			String thumbprint = key.publicJwk().computeThumbprint().toString();
			Map<String, Object> confirmation = server.decoder().decode(token.getTokenValue()).getClaimAsMap("cnf");
			assertThat(confirmation).containsEntry("jkt", thumbprint);

			TokenClients clients = context.getBean(TokenClients.class);
			assertThat(clients.restClient("sas").get().uri(API).retrieve().body(String.class))
				.isEqualTo("accounts of " + DpopAuthorizationServer.CLIENT_ID);
			assertThat(clients.webClient("sas").get().uri(API).retrieve().bodyToMono(String.class).block())
				.isEqualTo("accounts of " + DpopAuthorizationServer.CLIENT_ID);
			assertThat(server.apiAnswers()).containsExactly("200", "200");
			assertThat(server.acceptedKeys()).containsExactly(thumbprint, thumbprint);
			assertThat(server.tokenAnswers()).containsExactly(200);
		});
	}

	@Test
	void theTokensEndpointRotatesTheKeyAndObtainsATokenBoundToTheNewKey() {
		this.runner.withConfiguration(AutoConfigurations.of(TokenActuatorAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=tokens")
			.run((context) -> {
				RestClient api = context.getBean(TokenClients.class).restClient("sas");
				api.get().uri(API).retrieve().body(String.class);
				DpopKeys keys = context.getBean(DpopKeys.class);
				String before = keys.current("sas").block().thumbprint();
				TokensEndpoint endpoint = context.getBean(TokensEndpoint.class);
				assertThatExceptionOfType(InvalidEndpointRequestException.class)
					.isThrownBy(() -> endpoint.rotate("sas", "key"));
				assertThat(endpoint.rotate("unknown", "dpop-key")).isNull();
				assertThat(endpoint.rotate("sas", "dpop-key").usable()).isTrue();
				String after = keys.current("sas").block().thumbprint();
				assertThat(after).isNotEqualTo(before);
				api.get().uri(API).retrieve().body(String.class);
				assertThat(server.tokenAnswers()).containsExactly(200, 200);
				assertThat(server.acceptedKeys()).containsExactly(before, after);
			});
	}

	@Test
	void theResourceServerRefusesTheTokenWithoutAProofOfItsKey() {
		this.runner.run((context) -> {
			ManagedToken token = context.getBean(TokenManager.class).token("sas").block();
			String value = token.accessToken().getTokenValue();
			RestClient bare = RestClient.create(server.baseUrl());
			assertThat(call(bare.get().uri(API).header(HttpHeaders.AUTHORIZATION, "DPoP " + value))).isEqualTo(401);
			assertThat(call(bare.get().uri(API).header(HttpHeaders.AUTHORIZATION, "Bearer " + value)))
				.isEqualTo(401);
			assertThat(call(bare.get()
				.uri(API)
				.header(HttpHeaders.AUTHORIZATION, "DPoP " + value)
				.header("DPoP", proofOfAnotherKey(server.baseUrl() + API, value)))).isEqualTo(401);
			assertThat(server.acceptedKeys()).isEmpty();
			// The same token with the starter's proof: the refusals were the proof's, not the token's.
			assertThat(context.getBean(TokenClients.class).restClient("sas").get().uri(API).retrieve().body(String.class))
				.isEqualTo("accounts of " + DpopAuthorizationServer.CLIENT_ID);
			assertThat(server.apiAnswers()).hasSize(4);
			assertThat(server.apiAnswers().get(0)).startsWith("401 DPoP").contains("invalid_request");
			assertThat(server.apiAnswers().get(1)).startsWith("401 Bearer").contains("invalid_token");
			assertThat(server.apiAnswers().get(2)).startsWith("401 DPoP").contains("invalid_dpop_proof");
			assertThat(server.apiAnswers().get(3)).isEqualTo("200");
			assertThat(server.acceptedKeys()).hasSize(1);
			assertThat(server.tokenAnswers()).containsExactly(200);
		});
	}

	private static int call(RestClient.RequestHeadersSpec<?> request) {
		return request.exchangeForRequiredValue((sent, answer) -> answer.getStatusCode().value());
	}

	/** A proof that is valid in every way but one: it is signed by a key the token is not bound to. */
	private static String proofOfAnotherKey(String uri, String token) throws Exception {
		ECKey other = new ECKeyGenerator(Curve.P_256).generate();
		byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
		SignedJWT proof = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
					.jwk(other.toPublicJWK())
					.build(),
				new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
					.claim("htm", "GET")
					.claim("htu", uri)
					.issueTime(new Date())
					.claim("ath", Base64.getUrlEncoder().withoutPadding().encodeToString(hash))
					.build());
		proof.sign(new ECDSASigner(other));
		return proof.serialize();
	}

}
