package dev.tokenstarter.provider;

import java.time.Clock;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notFound;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A standard server known by its {@code issuer-uri} (a Keycloak realm here): the token endpoint comes from its
 * OpenID Connect metadata, read in the background once the application has started (the provider is prepared
 * then) or by the first call, whichever comes first, and never holding up or failing the start-up. Each test has a
 * server of its own: a previous test's background read may come after that test has ended.
 */
class IssuerDiscoveryTests {

	private static final String REALM = "/realms/payments";

	private static final String METADATA = REALM + "/.well-known/openid-configuration";

	private static final String TOKEN = REALM + "/protocol/openid-connect/token";

	@RegisterExtension
	final WireMockExtension server = EngineTestSupport.provider();

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, MutableClock::startingNow)
			.withPropertyValues("token.providers.keycloak.issuer-uri=" + this.server.baseUrl() + REALM,
					"token.providers.keycloak.client-id=orders", "token.providers.keycloak.client-secret=orders-secret",
					"token.providers.keycloak.base-url=" + this.server.baseUrl(), "token.scheduler.enabled=false");
	}

	@Test
	void theTokenEndpointIsDiscoveredOnceFromTheIssuersMetadata() {
		WireMockExtension server = this.server;
		server.stubFor(get(urlPathEqualTo(METADATA)).willReturn(json(metadata())));
		server.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(token("KC1", 300)));
		server.stubFor(apiWith("KC1").willReturn(ok("orders")));
		runner().run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			assertThat(clients.webClient("keycloak").get().uri("/api").retrieve().bodyToMono(String.class).block())
				.isEqualTo("orders");
			assertThat(context.getBean(TokenManager.class).token("keycloak").block().accessToken().getTokenValue())
				.isEqualTo("KC1");
			server.verify(postRequestedFor(urlPathEqualTo(TOKEN)).withRequestBody(containing("grant_type=client_credentials")));
			server.verify(1, getRequestedFor(urlPathEqualTo(METADATA)));
		});
	}

	@Test
	void aFailedDiscoveryIsAClearErrorAndIsTriedAgainLater() {
		WireMockExtension server = this.server;
		server.stubFor(get(urlPathEqualTo(METADATA)).willReturn(notFound()));
		server.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(token("KC1", 300)));
		runner().withPropertyValues("token.providers.keycloak.refresh.failure-cooldown=0s").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token("keycloak").block())
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("discovery_failed");
					assertThat(ex.getMessage()).contains(server.baseUrl() + REALM).doesNotContain("orders-secret");
				});
			server.stubFor(get(urlPathEqualTo(METADATA)).willReturn(json(metadata())));
			assertThat(tokens.token("keycloak").block().accessToken().getTokenValue()).isEqualTo("KC1");
		});
	}

	/**
	 * A server with OAuth 2.0 metadata only (RFC 8414, under the host's well-known path) is discovered there, after
	 * the OpenID Connect locations, as Spring Security's discovery looks.
	 */
	@Test
	void rfc8414MetadataIsReadWhenTheIssuerHasNoOpenIdConnectMetadata() {
		WireMockExtension server = this.server;
		server.stubFor(get(urlPathEqualTo("/.well-known/oauth-authorization-server" + REALM))
			.willReturn(json(metadata())));
		server.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(token("KC1", 300)));
		runner().run((context) -> {
			assertThat(context.getBean(TokenManager.class).token("keycloak").block().accessToken().getTokenValue())
				.isEqualTo("KC1");
			server.verify(getRequestedFor(urlPathEqualTo(METADATA)));
			server.verify(getRequestedFor(urlPathEqualTo("/.well-known/openid-configuration" + REALM)));
		});
	}

	/**
	 * Metadata that names another issuer is not the issuer's: its endpoints are not taken.
	 */
	@Test
	void metadataOfAnotherIssuerIsRefused() {
		WireMockExtension server = this.server;
		server.stubFor(get(urlPathEqualTo(METADATA))
			.willReturn(json(metadata().replace(server.baseUrl() + REALM + "\",", "https://elsewhere.example\","))));
		runner().run((context) -> assertThatExceptionOfType(TokenAcquisitionException.class)
			.isThrownBy(() -> context.getBean(TokenManager.class).token("keycloak").block())
			.satisfies((ex) -> {
				assertThat(ex.getErrorCode()).isEqualTo("discovery_failed");
				assertThat(ex.getMessage()).contains("does not match issuer-uri");
			}));
		assertThat(count(server, postRequestedFor(urlPathEqualTo(TOKEN)))).isZero();
	}

	private String metadata() {
		String issuer = this.server.baseUrl() + REALM;
		return "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer
				+ "/protocol/openid-connect/auth\",\"token_endpoint\":\"" + this.server.baseUrl() + TOKEN
				+ "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\","
				+ "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
				+ "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
				+ "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\",\"client_secret_post\"],"
				+ "\"grant_types_supported\":[\"client_credentials\",\"refresh_token\"]}";
	}

}
