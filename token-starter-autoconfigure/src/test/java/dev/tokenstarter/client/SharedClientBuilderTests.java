package dev.tokenstarter.client;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application whose {@code WebClient.Builder} and {@code RestClient.Builder} are singletons of its own (as a
 * load-balanced builder often is): the provider clients are built from copies, so the builder, and every client
 * the application builds from it for other APIs, gets neither a provider's token nor its base URL.
 */
class SharedClientBuilderTests {

	private static final String THIRD_PARTY_PATH = "/third-party";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final ApplicationContextRunner runner = EngineTestSupport
		.runner(server, MutableClock.startingNow(), "acme")
		.withUserConfiguration(SingletonBuilders.class);

	@Test
	void aSingletonWebClientBuilderLendsNoTokenToTheApplicationsOtherClients() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("acme")));
		server.stubFor(get(urlPathEqualTo(THIRD_PARTY_PATH)).willReturn(ok("third party")));
		this.runner.run((context) -> {
			WebClient provider = context.getBean(TokenClients.class).webClient("acme");
			assertThat(provider.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("acme");
			WebClient other = context.getBean(WebClient.Builder.class).build();
			assertThat(other.get().uri(server.baseUrl() + THIRD_PARTY_PATH).retrieve().bodyToMono(String.class).block())
				.isEqualTo("third party");
			server.verify(getRequestedFor(urlPathEqualTo(THIRD_PARTY_PATH)).withHeader("Authorization", absent()));
		});
	}

	@Test
	void aSingletonRestClientBuilderLendsNoTokenToTheApplicationsOtherClients() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("acme")));
		server.stubFor(get(urlPathEqualTo(THIRD_PARTY_PATH)).willReturn(ok("third party")));
		this.runner.run((context) -> {
			RestClient provider = context.getBean(TokenClients.class).restClient("acme");
			assertThat(provider.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("acme");
			RestClient other = context.getBean(RestClient.Builder.class).build();
			assertThat(other.get().uri(server.baseUrl() + THIRD_PARTY_PATH).retrieve().body(String.class))
				.isEqualTo("third party");
			server.verify(getRequestedFor(urlPathEqualTo(THIRD_PARTY_PATH)).withHeader("Authorization", absent()));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class SingletonBuilders {

		@Bean
		WebClient.Builder webClientBuilder() {
			return WebClient.builder();
		}

		@Bean
		RestClient.Builder restClientBuilder() {
			return RestClient.builder();
		}

	}

}
