package dev.tokenstarter.client;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link TokenManager} is a Spring Security authorized-client manager: Spring's own exchange filter works
 * with it and shares its token.
 */
class SpringFilterCompatibilityTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	@Test
	void springSecurityExchangeFilterUsesTheEnginesToken() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("hello")));
		EngineTestSupport.runner(server, MutableClock.startingNow(), "acme").run((context) -> {
			ServerOAuth2AuthorizedClientExchangeFilterFunction spring = new ServerOAuth2AuthorizedClientExchangeFilterFunction(
					context.getBean(TokenManager.class));
			spring.setDefaultClientRegistrationId("acme");
			WebClient api = WebClient.builder().baseUrl(server.baseUrl()).filter(spring).build();
			for (int i = 0; i < 3; i++) {
				assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("hello");
			}
			assertThat(context.getBean(TokenClients.class)
				.webClient("acme")
				.get()
				.uri(API_PATH)
				.retrieve()
				.bodyToMono(String.class)
				.block()).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}


	@Test
	void aRequestCarryingSpringsAuthorizedClientAttributeGetsTheEnginesTokenOfThatRegistration() {
		server.stubFor(tokenRequest().withBasicAuth("client-acme", "secret-acme").willReturn(token("A1", 300)));
		server.stubFor(tokenRequest().withBasicAuth("client-billing", "secret-billing").willReturn(token("B1", 300)));
		server.stubFor(apiWith("B1").willReturn(ok("billing")));
		EngineTestSupport.runner(server, MutableClock.startingNow(), "acme")
			.withPropertyValues(TokenStubs.providerProperties(server, "billing"))
			.run((context) -> {
				OAuth2AuthorizedClient billing = context.getBean(TokenManager.class)
					.authorize(OAuth2AuthorizeRequest.withClientRegistrationId("billing").principal("someone").build())
					.block();
				AtomicReference<Map<String, Object>> downstream = new AtomicReference<>();
				WebClient api = WebClient.builder()
					.baseUrl(server.baseUrl())
					.filter(context.getBean(TokenClients.class).filter("acme"))
					.filter((request, next) -> {
						downstream.set(request.attributes());
						return next.exchange(request);
					})
					.build();
				assertThat(api.get()
					.uri(API_PATH)
					.attributes(ServerOAuth2AuthorizedClientExchangeFilterFunction.oauth2AuthorizedClient(billing))
					.retrieve()
					.bodyToMono(String.class)
					.block()).isEqualTo("billing");
				// Spring's filter further down would otherwise put the client's own token back on the request.
				assertThat(downstream.get()).doesNotContainValue(billing);
			});
	}

}
