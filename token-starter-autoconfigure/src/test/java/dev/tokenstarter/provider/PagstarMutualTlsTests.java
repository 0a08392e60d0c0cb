package dev.tokenstarter.provider;

import java.time.Clock;
import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TestCertificates;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Pagstar and any mutual-TLS provider ({@code ssl-bundle}), against a real HTTPS server that requires a client
 * certificate: the token endpoint (form and JSON requests, tls_client_auth) and the API both get the bundle's
 * certificate, the server's certificate is checked against the bundle's trust material, and every way of
 * getting it wrong fails with a message that says what to fix.
 */
class PagstarMutualTlsTests {

	private static final TestCertificates certificates = TestCertificates.generate();

	private static final String P = "token.providers.pagstar.";

	/** What Pagstar answers: 300 s tokens and no usable refresh token. */
	private static final String PAGSTAR_TOKEN = "{\"access_token\":\"%s\",\"expires_in\":300,\"refresh_expires_in\":0,"
			+ "\"token_type\":\"Bearer\"}";

	@RegisterExtension
	static final WireMockExtension server = WireMockExtension.newInstance()
		.options(certificates.mutualTlsServer())
		.build();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner bare = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenEngineAutoConfiguration.class,
				TokenClientsAutoConfiguration.class))
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues(P + "token-uri=" + server.baseUrl() + TokenStubs.TOKEN_PATH, P + "client-id=pagstar-id",
				P + "base-url=" + server.baseUrl(), P + "retry.initial-backoff=20ms", "token.scheduler.enabled=false",
				"spring.ssl.bundle.pem.expired.keystore.certificate=" + certificates.pem("expired.crt"),
				"spring.ssl.bundle.pem.expired.keystore.private-key=" + certificates.pem("expired.key"),
				"spring.ssl.bundle.pem.expired.truststore.certificate=" + certificates.pem("server.crt"),
				"spring.ssl.bundle.pem.trust-only.truststore.certificate=" + certificates.pem("server.crt"))
		.withPropertyValues(certificates.clientBundle("pagstar"));

	private final ApplicationContextRunner runner = this.bare.withPropertyValues(P + "client-secret=pagstar-secret",
			P + "client-authentication=client_secret_post", P + "ssl-bundle=pagstar");

	@Test
	void formTokenRequestAndApiCallsPresentTheBundlesCertificate() {
		server.stubFor(tokenRequest().willReturn(json(PAGSTAR_TOKEN.formatted("T1"))));
		server.stubFor(apiWith("T1").willReturn(ok("pix")));
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			assertThat(clients.webClient("pagstar").get().uri(API_PATH).retrieve().bodyToMono(String.class).block())
				.isEqualTo("pix");
			assertThat(clients.restClient("pagstar").get().uri(API_PATH).retrieve().body(String.class))
				.isEqualTo("pix");
			server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
				.withRequestBody(containing("grant_type=client_credentials"))
				.withRequestBody(containing("client_id=pagstar-id"))
				.withRequestBody(containing("client_secret=pagstar-secret")));
			server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)));
		});
	}

	@Test
	void jsonTokenRequestsAsPagstarsReferenceShowsAndNoRefreshIsEverTried() {
		server.stubFor(tokenRequest().inScenario("tokens")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(json(PAGSTAR_TOKEN.formatted("T1")))
			.willSetStateTo("second"));
		server.stubFor(tokenRequest().inScenario("tokens")
			.whenScenarioStateIs("second")
			.willReturn(json(PAGSTAR_TOKEN.formatted("T2"))));
		this.runner.withPropertyValues(P + "token-request-format=json").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("pagstar").block().accessToken().getTokenValue()).isEqualTo("T1");
			assertThat(tokens.cachedToken("pagstar").authorizedClient().getRefreshToken()).isNull();
			this.clock.advance(Duration.ofSeconds(300));
			assertThat(tokens.token("pagstar").block().accessToken().getTokenValue()).isEqualTo("T2");
			server.verify(2, postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
				.withHeader("Content-Type", equalTo("application/json"))
				.withRequestBody(equalToJson("{\"grant_type\":\"client_credentials\",\"client_id\":\"pagstar-id\","
						+ "\"client_secret\":\"pagstar-secret\"}")));
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void tlsClientAuthSendsTheClientIdOnlyAndTheCertificateAuthenticates() {
		server.stubFor(tokenRequest().willReturn(json(PAGSTAR_TOKEN.formatted("T1"))));
		this.bare.withPropertyValues(P + "client-authentication=tls_client_auth", P + "ssl-bundle=pagstar")
			.run((context) -> {
				assertThat(context.getBean(TokenManager.class).token("pagstar").block().accessToken().getTokenValue())
					.isEqualTo("T1");
				server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
					.withHeader("Authorization", absent())
					.withRequestBody(containing("grant_type=client_credentials"))
					.withRequestBody(containing("client_id=pagstar-id"))
					.withRequestBody(notContaining("client_secret")));
			});
	}

	@Test
	void withoutAClientCertificateTheHandshakeFailsWithAClearErrorAndIsNotRetried() {
		this.runner.withPropertyValues(P + "ssl-bundle=trust-only").run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("pagstar").block())
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("tls_handshake_failed");
					assertThat(ex.isTransientFailure()).isFalse();
					assertThat(ex.getMessage()).contains("'pagstar'", "ssl-bundle").doesNotContain("pagstar-secret");
				});
			assertThat(count(server, tokenRequests())).isZero();
		});
	}

	@Test
	void withoutTheBundleTheServerCertificateIsNotTrustedAndNothingIsSent() {
		this.bare.withPropertyValues(P + "client-secret=pagstar-secret").run((context) -> {
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> context.getBean(TokenManager.class).token("pagstar").block())
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("tls_handshake_failed"));
			assertThat(count(server, tokenRequests())).isZero();
		});
	}

	@Test
	void aMissingBundleFailsStartupNamingTheProperty() {
		this.runner.withPropertyValues(P + "ssl-bundle=pagstr").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(configurationFailure(context.getStartupFailure()))
				.hasMessageContaining(P + "ssl-bundle names SSL bundle 'pagstr', which does not exist")
				.hasMessageContaining("pagstar");
		});
	}

	@Test
	void anExpiredCertificateFailsStartupWithAClearMessage() {
		this.runner.withPropertyValues(P + "ssl-bundle=expired").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(configurationFailure(context.getStartupFailure()))
				.hasMessageContaining(P + "ssl-bundle names SSL bundle 'expired', whose certificate")
				.hasMessageContaining("CN=token-starter-expired-client expired on");
		});
	}

	/**
	 * A key store whose entry of that alias is a trusted certificate, not a private key: the bundle opens, but its
	 * handshakes would go without a client certificate.
	 */
	@Test
	void aKeyAliasThatNamesNoPrivateKeyFailsStartupNamingTheProperty() {
		String bundle = "spring.ssl.bundle.jks.certificate-only.";
		this.runner
			.withPropertyValues(bundle + "keystore.location=file:" + certificates.serverTrustStore(),
					bundle + "keystore.type=PKCS12", bundle + "keystore.password=" + TestCertificates.PASSWORD,
					bundle + "key.alias=client", P + "ssl-bundle=certificate-only")
			.run((context) -> assertThat(configurationFailure(context.getStartupFailure())).hasMessageContaining(
					P + "ssl-bundle names SSL bundle 'certificate-only', whose key.alias 'client' names no private key"));
	}

	@Test
	void tlsClientAuthWithABundleWithoutAClientCertificateFailsStartupNamingTheProperty() {
		this.bare.withPropertyValues(P + "client-authentication=tls_client_auth", P + "ssl-bundle=trust-only")
			.run((context) -> assertThat(configurationFailure(context.getStartupFailure())).hasMessageContaining(
					P + "ssl-bundle names SSL bundle 'trust-only', which has no private key and certificate"));
	}

	@Test
	void tlsClientAuthInheritedFromTheDefaultsAlsoNeedsTheBundlesClientCertificateAtStartup() {
		this.bare.withPropertyValues("token.defaults.client-authentication=tls_client_auth", P + "ssl-bundle=trust-only")
			.run((context) -> assertThat(configurationFailure(context.getStartupFailure())).hasMessageContaining(
					P + "ssl-bundle names SSL bundle 'trust-only', which has no private key and certificate"));
	}

	@Test
	void aBundleWithAProtocolTheJvmDoesNotSupportFailsStartupNamingTheProperty() {
		this.runner.withPropertyValues("spring.ssl.bundle.pem.pagstar.options.enabled-protocols=TLSv0.9")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(configurationFailure(context.getStartupFailure()))
					.hasMessageContaining(P + "ssl-bundle names SSL bundle 'pagstar', which cannot be used for TLS");
			});
	}

	private static TokenConfigurationException configurationFailure(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof TokenConfigurationException configuration) {
				return configuration;
			}
		}
		throw new AssertionError("Not a configuration failure", failure);
	}

}
