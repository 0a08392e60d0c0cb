package dev.tokenstarter.client;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

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

}
