package dev.tokenstarter.client;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;
import org.springframework.web.service.registry.ImportHttpServices;

import dev.tokenstarter.client.HttpServiceGroupTests.Api;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.TestCertificates;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A servlet application that chose the JDK's HTTP client, with no Reactor Netty (nor Netty) on its class path at
 * all: the build runs this class alone in a test run of its own whose class path leaves them out
 * ({@code without-reactor-netty} in this module's POM), and the first test checks they are really gone. Its
 * token requests and API calls (through {@link TokenClients} and an HTTP interface), mutual TLS included, go
 * through the JDK's client, as the server sees from each request's {@code User-Agent}.
 */
@Tag("without-reactor-netty")
@SpringBootTest(
		properties = { "spring.http.clients.imperative.factory=jdk", "token.providers.pagstar.ssl-bundle=pagstar" })
class ServletApplicationOnTheJdkClientTests {

	private static final TestCertificates certificates = TestCertificates.generate();

	private static final String JDK_CLIENT = "Java-http-client/.*";

	private static final String REALM = "/realms/orders";

	@RegisterExtension
	static final WireMockExtension server = WireMockExtension.newInstance()
		.options(certificates.mutualTlsServer())
		.build();

	@Autowired
	private ApplicationContext context;

	@Autowired
	private TokenClients clients;

	@DynamicPropertySource
	static void provider(DynamicPropertyRegistry registry) {
		for (String property : TokenStubs.providerProperties(server, "pagstar")) {
			addProperty(registry, property);
		}
		for (String property : certificates.clientBundle("pagstar")) {
			addProperty(registry, property);
		}
		registry.add("token.providers.keycloak.issuer-uri", () -> server.baseUrl() + REALM);
		registry.add("token.providers.keycloak.client-id", () -> "orders");
		registry.add("token.providers.keycloak.client-secret", () -> "orders-secret");
		registry.add("token.providers.keycloak.ssl-bundle", () -> "pagstar");
	}

	private static void addProperty(DynamicPropertyRegistry registry, String property) {
		int equals = property.indexOf('=');
		registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
	}

	@Test
	void neitherReactorNettyNorNettyIsOnTheClassPath() {
		assertThat(ClassUtils.isPresent("reactor.netty.http.client.HttpClient", null)).isFalse();
		assertThat(ClassUtils.isPresent("io.netty.channel.Channel", null)).isFalse();
		assertThat(this.context).isInstanceOf(WebApplicationContext.class);
	}

	@Test
	void tokenRequestsAndApiCallsGoThroughTheJdkClient() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("pix")));
		assertThat(this.clients.restClient("pagstar").get().uri(API_PATH).retrieve().body(String.class))
			.isEqualTo("pix");
		assertThat(this.clients.webClient("pagstar").get().uri(API_PATH).retrieve().bodyToMono(String.class).block())
			.isEqualTo("pix");
		assertThat(this.context.getBean(HttpServiceProxyRegistry.class).getClient("pagstar", Api.class).call())
			.isEqualTo("pix");
		server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH)).withHeader("User-Agent",
				matching(JDK_CLIENT)));
		server.verify(3, getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("User-Agent", matching(JDK_CLIENT)));
	}

	/**
	 * A provider's token endpoint has one client, whatever audiences keys ask for: one per parameter set was a JDK
	 * client per audience or resource a request ever named, each with a selector thread of its own, kept while
	 * the grants of that audience were.
	 */
	@Test
	void keysOfManyAudiencesShareTheProvidersTokenEndpointClient() {
		server.stubFor(tokenRequest().willReturn(token("T-audience", 300)));
		TokenManager tokens = this.context.getBean(TokenManager.class);
		tokens.token(TokenKey.forProvider("pagstar").audience("api-0").build()).block(Duration.ofSeconds(30));
		long before = selectorThreads();
		for (int i = 1; i <= 5; i++) {
			tokens.token(TokenKey.forProvider("pagstar").audience("api-" + i).build()).block(Duration.ofSeconds(30));
		}
		server.verify(6, postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH)).withRequestBody(containing("audience")));
		// Spring Security's token response clients each build a default WebClient, replaced at once: their JDK
		// clients' threads end once those are collected, while a client kept per audience would stay.
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			System.gc();
			return selectorThreads() <= before;
		});
	}

	/**
	 * A provider known by its issuer reads its metadata through the client of its token requests: a client of its
	 * own was a second JDK client, with a thread of its own, per discovered provider. The provider's client exists
	 * from start-up, when the starter prepared the provider (and its discovery failed: nothing was stubbed yet).
	 */
	@Test
	void aDiscoveredProviderReadsItsMetadataThroughItsTokenEndpointsClient() {
		String issuer = server.baseUrl() + REALM;
		server.stubFor(get(urlPathEqualTo(REALM + "/.well-known/openid-configuration")).willReturn(json(
				"{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + issuer + "/token\"}")));
		server.stubFor(post(urlPathEqualTo(REALM + "/token")).willReturn(token("T-discovered", 300)));
		long before = settledSelectorThreads();
		assertThat(this.context.getBean(TokenManager.class).token("keycloak").block(Duration.ofSeconds(30))
			.accessToken()
			.getTokenValue()).isEqualTo("T-discovered");
		server.verify(getRequestedFor(urlPathEqualTo(REALM + "/.well-known/openid-configuration"))
			.withHeader("User-Agent", matching(JDK_CLIENT)));
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			System.gc();
			return selectorThreads() <= before;
		});
	}

	/**
	 * The JDK clients' threads once those no longer referenced (the short-lived ones of earlier tests) have ended.
	 */
	private static long settledSelectorThreads() {
		long[] last = { -1 };
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			System.gc();
			long now = selectorThreads();
			boolean settled = now == last[0];
			last[0] = now;
			return settled;
		});
		return last[0];
	}

	private static long selectorThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().matches("HttpClient-\\d+-SelectorManager"))
			.count();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@ImportHttpServices(group = "pagstar", types = Api.class)
	static class JdkClientApplication {

	}

}
