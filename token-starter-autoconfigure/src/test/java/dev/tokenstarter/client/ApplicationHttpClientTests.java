package dev.tokenstarter.client;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.service.ReactiveHttpServiceClientAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.service.registry.HttpServiceGroup.ClientType;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;
import org.springframework.web.service.registry.ImportHttpServices;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.HttpServiceGroupTests.Api;
import dev.tokenstarter.test.TestCertificates;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The API clients of {@link TokenClients} and of HTTP service groups stay the application's: its HTTP client
 * library and its {@code spring.http.clients.*} (or {@code spring.http.serviceclient.<group>.*}) settings, with a
 * provider's {@code ssl-bundle} added to them for mutual TLS (against a server that requires the client
 * certificate) instead of a bare client of the starter's own.
 */
class ApplicationHttpClientTests {

	private static final TestCertificates certificates = TestCertificates.generate();

	/** Far longer than the read timeout below: a call that waits for it has ignored the setting. */
	private static final int SLOW_ANSWER_MILLIS = 5000;

	private static final String JDK_CLIENT = "Java-http-client/.*";

	@RegisterExtension
	static final WireMockExtension server = WireMockExtension.newInstance()
		.options(certificates.mutualTlsServer())
		.build();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
				ImperativeHttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
				RestClientAutoConfiguration.class, WebClientAutoConfiguration.class,
				HttpServiceClientPropertiesAutoConfiguration.class, HttpServiceClientAutoConfiguration.class,
				ReactiveHttpServiceClientAutoConfiguration.class, TokenEngineAutoConfiguration.class,
				TokenClientsAutoConfiguration.class))
		.withPropertyValues(TokenStubs.providerProperties(server, "pagstar"))
		.withPropertyValues("token.providers.pagstar.ssl-bundle=pagstar")
		.withPropertyValues(certificates.clientBundle("pagstar"));

	@Test
	void theApplicationsReadTimeoutAppliesToTheApiCallsOfAMutualTlsProvider() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("late").withFixedDelay(SLOW_ANSWER_MILLIS)));
		this.runner.withPropertyValues("spring.http.clients.read-timeout=300ms").run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			assertThatExceptionOfType(ResourceAccessException.class)
				.isThrownBy(() -> clients.restClient("pagstar").get().uri(API_PATH).retrieve().body(String.class));
			assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(
					() -> clients.webClient("pagstar").get().uri(API_PATH).retrieve().bodyToMono(String.class).block());
			// Both calls reached the API: the client certificate was presented.
			server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)));
		});
	}

	@Test
	void theJdkClientTheApplicationChoseCallsTheApiOfAMutualTlsProvider() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("pix")));
		this.runner
			.withPropertyValues("spring.http.clients.imperative.factory=jdk",
					"spring.http.clients.reactive.connector=jdk")
			.run((context) -> {
				TokenClients clients = context.getBean(TokenClients.class);
				assertThat(clients.restClient("pagstar").get().uri(API_PATH).retrieve().body(String.class))
					.isEqualTo("pix");
				assertThat(clients.webClient("pagstar")
					.get()
					.uri(API_PATH)
					.retrieve()
					.bodyToMono(String.class)
					.block()).isEqualTo("pix");
				server.verify(2,
						getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("User-Agent", matching(JDK_CLIENT)));
			});
	}

	@Test
	void aGroupsReadTimeoutAppliesToTheCallsOfAMutualTlsProvidersGroup() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("late").withFixedDelay(SLOW_ANSWER_MILLIS)));
		this.runner.withUserConfiguration(PagstarGroups.class)
			.withPropertyValues("spring.http.serviceclient.pagstar-rest.read-timeout=300ms",
					"spring.http.serviceclient.pagstar-web.read-timeout=300ms",
					"token.providers.pagstar-rest.ssl-bundle=pagstar", "token.providers.pagstar-web.ssl-bundle=pagstar")
			.withPropertyValues(TokenStubs.providerProperties(server, "pagstar-rest"))
			.withPropertyValues(TokenStubs.providerProperties(server, "pagstar-web"))
			.run((context) -> {
				HttpServiceProxyRegistry groups = context.getBean(HttpServiceProxyRegistry.class);
				assertThatExceptionOfType(ResourceAccessException.class)
					.isThrownBy(() -> groups.getClient("pagstar-rest", Api.class).call());
				assertThatExceptionOfType(WebClientRequestException.class)
					.isThrownBy(() -> groups.getClient("pagstar-web", Api.class).call());
				server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)));
			});
	}

	@Test
	void theJdkClientTheApplicationChoseCallsTheApiOfAMutualTlsProvidersGroup() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("pix")));
		this.runner.withUserConfiguration(PagstarGroups.class)
			.withPropertyValues("spring.http.clients.imperative.factory=jdk",
					"spring.http.clients.reactive.connector=jdk", "token.providers.pagstar-rest.ssl-bundle=pagstar",
					"token.providers.pagstar-web.ssl-bundle=pagstar")
			.withPropertyValues(TokenStubs.providerProperties(server, "pagstar-rest"))
			.withPropertyValues(TokenStubs.providerProperties(server, "pagstar-web"))
			.run((context) -> {
				HttpServiceProxyRegistry groups = context.getBean(HttpServiceProxyRegistry.class);
				assertThat(groups.getClient("pagstar-rest", Api.class).call()).isEqualTo("pix");
				assertThat(groups.getClient("pagstar-web", Api.class).call()).isEqualTo("pix");
				server.verify(2,
						getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("User-Agent", matching(JDK_CLIENT)));
			});
	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "pagstar-rest", types = Api.class, clientType = ClientType.REST_CLIENT)
	@ImportHttpServices(group = "pagstar-web", types = Api.class, clientType = ClientType.WEB_CLIENT)
	static class PagstarGroups {

	}

}
