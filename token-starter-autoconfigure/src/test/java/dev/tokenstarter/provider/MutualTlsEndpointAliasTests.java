package dev.tokenstarter.provider;

import java.time.Clock;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TestCertificates;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.TOKEN_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutual-TLS client authentication and certificate-bound tokens (RFC 8705): a server whose metadata advertises
 * {@code mtls_endpoint_aliases} takes certificate-authenticated clients at its mutual-TLS token endpoint, and the
 * API, which only accepts the token with the certificate it is bound to, gets the same certificate from the
 * provider's ssl-bundle. Metadata is read from the issuer over the provider's own connection, its ssl-bundle
 * included.
 */
class MutualTlsEndpointAliasTests {

	private static final TestCertificates certificates = TestCertificates.generate();

	private static final String P = "token.providers.bank.";

	private static final String REALM = "/realms/bank";

	private static final String REVOKE = REALM + "/revoke";

	@RegisterExtension
	static final WireMockExtension plain = EngineTestSupport.provider();

	@RegisterExtension
	static final WireMockExtension mutualTls = WireMockExtension.newInstance()
		.options(certificates.mutualTlsServer())
		.build();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenEngineAutoConfiguration.class,
				TokenClientsAutoConfiguration.class))
		.withBean(Clock.class, MutableClock::startingNow)
		.withPropertyValues(P + "issuer-uri=" + plain.baseUrl() + REALM, P + "client-id=bank-client",
				P + "base-url=" + mutualTls.baseUrl(), P + "ssl-bundle=bank", "token.scheduler.enabled=false")
		.withPropertyValues(certificates.clientBundle("bank"));

	@Test
	void aSelfSignedCertificateClientPostsToTheMutualTlsAliasAndTheApiGetsTheSameCertificate() {
		plain.stubFor(get(urlPathEqualTo(REALM + "/.well-known/openid-configuration")).willReturn(json(metadata())));
		plain.stubFor(tokenRequest().willReturn(token("PLAIN", 300)));
		mutualTls.stubFor(tokenRequest().willReturn(token("BOUND", 300)));
		mutualTls.stubFor(apiWith("BOUND").willReturn(ok("balance")));
		this.runner.withPropertyValues(P + "client-authentication=self_signed_tls_client_auth").run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			assertThat(clients.webClient("bank").get().uri(API_PATH).retrieve().bodyToMono(String.class).block())
				.isEqualTo("balance");
			assertThat(clients.restClient("bank").get().uri(API_PATH).retrieve().body(String.class))
				.isEqualTo("balance");
			mutualTls.verify(postRequestedFor(urlPathEqualTo(TOKEN_PATH)).withHeader("Authorization", absent())
				.withRequestBody(containing("client_id=bank-client"))
				.withRequestBody(notContaining("client_secret")));
			mutualTls.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)));
			assertThat(count(plain, tokenRequests())).isZero();
		});
	}

	/**
	 * A certificate-authenticated client revokes at the mutual-TLS alias of the revocation endpoint too: at the
	 * plain one, without its certificate, it named itself alone, was refused, and the token stayed valid.
	 */
	@Test
	void aCertificateClientRevokesAtTheMutualTlsAlias() {
		plain.stubFor(get(urlPathEqualTo(REALM + "/.well-known/openid-configuration")).willReturn(json(metadata())));
		mutualTls.stubFor(tokenRequest().willReturn(token("BOUND", 300)));
		mutualTls.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(ok()));
		this.runner.withPropertyValues(P + "client-authentication=tls_client_auth").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("bank").block().accessToken().getTokenValue()).isEqualTo("BOUND");
			tokens.revoke("bank").block();
			mutualTls.verify(postRequestedFor(urlPathEqualTo(REVOKE)).withRequestBody(containing("token=BOUND")));
			assertThat(count(plain, postRequestedFor(urlPathEqualTo(REVOKE)))).isZero();
		});
	}

	@Test
	void aClientAuthenticatedBySecretKeepsThePlainTokenEndpoint() {
		plain.stubFor(get(urlPathEqualTo(REALM + "/.well-known/openid-configuration")).willReturn(json(metadata())));
		plain.stubFor(tokenRequest().willReturn(token("PLAIN", 300)));
		mutualTls.stubFor(tokenRequest().willReturn(token("BOUND", 300)));
		this.runner.withPropertyValues(P + "client-secret=bank-secret").run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("bank").block()
				.accessToken().getTokenValue()).isEqualTo("PLAIN");
			assertThat(count(mutualTls, tokenRequests())).isZero();
		});
	}

	/**
	 * An issuer behind a CA only the provider's SSL bundle trusts (here, one that also wants the bundle's client
	 * certificate) is discovered over the bundle, as its token requests are sent: Spring Security's own discovery
	 * trusts only the JVM's trust store, and every token request failed with discovery_failed.
	 */
	@Test
	void anIssuerOnlyTheProvidersSslBundleTrustsIsDiscoveredThroughIt() {
		String issuer = mutualTls.baseUrl() + REALM;
		mutualTls.stubFor(get(urlPathEqualTo(REALM + "/.well-known/openid-configuration"))
			.willReturn(json("{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + mutualTls.baseUrl() + TOKEN_PATH
					+ "\",\"jwks_uri\":\"" + issuer + "/certs\"}")));
		mutualTls.stubFor(tokenRequest().willReturn(token("BEHIND-CA", 300)));
		this.runner.withPropertyValues(P + "issuer-uri=" + issuer, P + "client-authentication=tls_client_auth")
			.run((context) -> assertThat(context.getBean(TokenManager.class)
				.token("bank")
				.block()
				.accessToken()
				.getTokenValue()).isEqualTo("BEHIND-CA"));
	}

	private static String metadata() {
		String issuer = plain.baseUrl() + REALM;
		return "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/auth\","
				+ "\"token_endpoint\":\"" + plain.baseUrl() + TOKEN_PATH + "\",\"jwks_uri\":\"" + issuer + "/certs\","
				+ "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
				+ "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
				+ "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\",\"tls_client_auth\","
				+ "\"self_signed_tls_client_auth\"],\"tls_client_certificate_bound_access_tokens\":true,"
				+ "\"revocation_endpoint\":\"" + plain.baseUrl() + REVOKE + "\","
				+ "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"" + mutualTls.baseUrl() + TOKEN_PATH + "\","
				+ "\"revocation_endpoint\":\"" + mutualTls.baseUrl() + REVOKE + "\"}}";
	}

}
