package dev.tokenstarter.client;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A request names the token it needs with a request attribute, on WebClient and RestClient alike: it is sent that
 * key's token, a rejection of it renews that key alone, and a request without the attribute still gets the
 * provider's application token.
 */
class KeyedRequestTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final TokenKey ORDERS = TokenKey.forProvider("acme").audience("orders").build();

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme");

	@Test
	void aWebClientRequestGetsTheTokenOfTheKeyItNames() {
		stubTokens();
		server.stubFor(apiWith("T-orders").willReturn(ok("orders")));
		server.stubFor(apiWith("T-app").willReturn(ok("app")));
		this.runner.run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("acme");
			assertThat(api.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(ORDERS)).retrieve()
				.bodyToMono(String.class).block(BOUND)).isEqualTo("orders");
			assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block(BOUND)).isEqualTo("app");
		});
	}

	@Test
	void aRestClientRequestGetsTheTokenOfTheKeyItNames() {
		stubTokens();
		server.stubFor(apiWith("T-orders").willReturn(ok("orders")));
		server.stubFor(apiWith("T-app").willReturn(ok("app")));
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			assertThat(api.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(ORDERS)).retrieve()
				.body(String.class)).isEqualTo("orders");
			assertThat(api.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("app");
		});
	}

	/**
	 * The clients of groups that are not a provider serve calls by the registration they name: a call that names
	 * only its key (an HTTP interface method's {@code @RequestAttribute}) is that key's provider's, and gets the
	 * key's token rather than going out with none.
	 */
	@Test
	void aCallNamingOnlyItsKeyThroughTheSelectingClientsGetsTheKeysToken() {
		stubTokens();
		server.stubFor(apiWith("T-orders").willReturn(ok("orders")));
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			RestClient restClient = RestClient.builder()
				.baseUrl(server.baseUrl())
				.requestInterceptor(clients.selectingInterceptor())
				.build();
			WebClient webClient = WebClient.builder().baseUrl(server.baseUrl()).filter(clients.selectingFilter()).build();
			assertThat(restClient.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(ORDERS)).retrieve()
				.body(String.class)).isEqualTo("orders");
			assertThat(webClient.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(ORDERS)).retrieve()
				.bodyToMono(String.class).block(BOUND)).isEqualTo("orders");
		});
	}

	@Test
	void aRejectedKeyedTokenIsRenewedAndTheRequestRetriedOnceOnRestClient() {
		stubRejectedOnce();
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("acme");
			assertThat(api.get().uri(API_PATH).retrieve().body(String.class)).isEqualTo("app");
			assertThat(api.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(ORDERS)).retrieve()
				.body(String.class)).isEqualTo("orders");
			assertRenewedAlone(context.getBean(TokenManager.class));
		});
	}

	@Test
	void aRejectedKeyedTokenIsRenewedAndTheRequestRetriedOnceOnWebClient() {
		stubRejectedOnce();
		this.runner.run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("acme");
			assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block(BOUND)).isEqualTo("app");
			assertThat(api.get().uri(API_PATH).attributes(TokenKeyAttributes.tokenKey(ORDERS)).retrieve()
				.bodyToMono(String.class).block(BOUND)).isEqualTo("orders");
			assertRenewedAlone(context.getBean(TokenManager.class));
		});
	}

	private static void stubRejectedOnce() {
		server.stubFor(clientCredentialsRequest().withRequestBody(notContaining("audience="))
			.willReturn(token("T-app", 300)));
		inSequence(server, () -> clientCredentialsRequest().withRequestBody(containing("audience=orders")),
				token("T-orders-1", 300), token("T-orders-2", 300));
		server.stubFor(apiWith("T-orders-1").willReturn(aResponse().withStatus(401)));
		server.stubFor(apiWith("T-orders-2").willReturn(ok("orders")));
		server.stubFor(apiWith("T-app").willReturn(ok("app")));
	}

	private static void assertRenewedAlone(TokenManager tokens) {
		assertThat(tokens.usableToken(ORDERS).accessToken().getTokenValue()).isEqualTo("T-orders-2");
		assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T-app");
		assertThat(count(server, tokenRequests())).isEqualTo(3);
		assertThat(count(server, getRequestedFor(urlPathEqualTo(API_PATH))
			.withHeader("Authorization", equalTo("Bearer T-orders-1")))).isEqualTo(1);
	}

	@Test
	void aKeyOfAnotherProviderIsRefusedOnBothClients() {
		stubTokens();
		TokenKey other = TokenKey.forProvider("other").audience("orders").build();
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> clients.webClient("acme").get().uri(API_PATH)
					.attributes(TokenKeyAttributes.tokenKey(other)).retrieve().bodyToMono(String.class).block(BOUND))
				.withMessageContaining("'other'");
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> clients.restClient("acme").get().uri(API_PATH)
					.attributes(TokenKeyAttributes.tokenKey(other)).retrieve().body(String.class))
				.withMessageContaining("'other'");
			assertThat(count(server, tokenRequests())).isZero();
		});
	}

	private static void stubTokens() {
		server.stubFor(clientCredentialsRequest().withRequestBody(notContaining("audience="))
			.willReturn(token("T-app", 300)));
		for (String audience : List.of("orders")) {
			server.stubFor(clientCredentialsRequest().withRequestBody(containing("audience=" + audience))
				.willReturn(token("T-" + audience, 300)));
		}
	}

}
