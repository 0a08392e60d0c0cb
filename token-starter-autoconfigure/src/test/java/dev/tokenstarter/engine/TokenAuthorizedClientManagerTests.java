package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.autoconfigure.TokenAuthorizedClientManagerAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.Threads;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.formParameters;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver.clientRegistrationId;

/**
 * The engine's blocking face: Spring Security's {@code OAuth2ClientHttpRequestInterceptor} on a
 * {@code RestClient}, and servlet code calling the {@link OAuth2AuthorizedClientManager}, get the engine's tokens
 * with its single-flight, its keys and its bounded wait; a 401 reported through Spring's interceptor renews the
 * rejected token for the next call.
 */
class TokenAuthorizedClientManagerTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme")
		.withConfiguration(AutoConfigurations.of(TokenAuthorizedClientManagerAutoConfiguration.class));

	@Test
	void aHundredThreadsCallingThroughSpringsInterceptorCostOneTokenRequest() throws Exception {
		server.stubFor(tokenRequest().willReturn(token("T1", 300).withFixedDelay(200)));
		server.stubFor(apiWith("T1").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = springRestClient(context);
			List<String> answers = Threads.runTogether(100,
					() -> api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class));
			assertThat(answers).hasSize(100).containsOnly("hello");
			assertThat(context.getBean(TokenClients.class).restClient("acme").get().uri(API_PATH).retrieve()
				.body(String.class)).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void everyPrincipalGetsTheApplicationToken() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		this.runner.run((context) -> {
			OAuth2AuthorizedClientManager manager = context.getBean(OAuth2AuthorizedClientManager.class);
			OAuth2AuthorizedClient forAlice = manager.authorize(OAuth2AuthorizeRequest.withClientRegistrationId("acme")
				.principal(new TestingAuthenticationToken("alice", "n/a"))
				.build());
			OAuth2AuthorizedClient forAnonymous = manager.authorize(OAuth2AuthorizeRequest
				.withClientRegistrationId("acme")
				.principal(new AnonymousAuthenticationToken("anonymous", "anonymousUser",
						AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")))
				.build());
			assertThat(forAlice.getAccessToken().getTokenValue()).isEqualTo("T1");
			assertThat(forAnonymous).isSameAs(forAlice);
			assertThat(forAlice.getPrincipalName()).isNotEqualTo("alice").startsWith("app:");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void reauthorizingAClientGetsTheTokenTheEngineHolds() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		this.runner.run((context) -> {
			OAuth2AuthorizedClientManager manager = context.getBean(OAuth2AuthorizedClientManager.class);
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", "n/a");
			OAuth2AuthorizedClient first = manager
				.authorize(OAuth2AuthorizeRequest.withClientRegistrationId("acme").principal(alice).build());
			OAuth2AuthorizedClient again = manager
				.authorize(OAuth2AuthorizeRequest.withAuthorizedClient(first).principal(alice).build());
			assertThat(again).isSameAs(first);
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void theKeyInTheAuthorizeRequestsAttributesChoosesTheToken() {
		server.stubFor(clientCredentialsRequest().withRequestBody(notContaining("audience="))
			.willReturn(token("T-app", 300)));
		server.stubFor(clientCredentialsRequest().withRequestBody(containing("audience=orders"))
			.willReturn(token("T-orders", 300)));
		this.runner.run((context) -> {
			OAuth2AuthorizedClientManager manager = context.getBean(OAuth2AuthorizedClientManager.class);
			TokenKey orders = TokenKey.forProvider("acme").audience("orders").build();
			OAuth2AuthorizeRequest keyed = OAuth2AuthorizeRequest.withClientRegistrationId("acme")
				.principal("alice")
				.attributes(TokenKeyAttributes.tokenKey(orders))
				.build();
			assertThat(manager.authorize(keyed).getAccessToken().getTokenValue()).isEqualTo("T-orders");
			assertThat(manager.authorize(OAuth2AuthorizeRequest.withClientRegistrationId("acme").principal("alice")
				.build()).getAccessToken().getTokenValue()).isEqualTo("T-app");
			assertThat(manager.authorize(keyed).getAccessToken().getTokenValue()).isEqualTo("T-orders");
			assertThat(server.findAll(tokenRequests()))
				.extracting((request) -> formParameters(request.getBodyAsString()).get("audience"))
				.containsExactly("orders", null);
			assertThat(context.getBean(TokenManager.class).usableToken(orders).accessToken().getTokenValue())
				.isEqualTo("T-orders");
		});
	}

	@Test
	void aFailedTokenRequestReachesSpringsCallerAsAnOAuth2AuthorizationException() {
		server.stubFor(tokenRequest().willReturn(error(401, "invalid_client")));
		server.stubFor(apiWith("T1").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = springRestClient(context);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve()
					.body(String.class))
				.isInstanceOf(OAuth2AuthorizationException.class)
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_client"))
				.withMessageNotContaining("secret-acme");
			assertThat(count(server, getRequestedFor(urlPathEqualTo(API_PATH)))).isZero();
		});
	}

	@Test
	void aCallerWaitsForATokenNoLongerThanTheEnginesBound() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300).withFixedDelay(3000)));
		this.runner.withPropertyValues("token.providers.acme.refresh.max-caller-wait=300ms").run((context) -> {
			OAuth2AuthorizedClientManager manager = context.getBean(OAuth2AuthorizedClientManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> manager
					.authorize(OAuth2AuthorizeRequest.withClientRegistrationId("acme").principal("alice").build()))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("timeout"))
				.withMessageContaining("max-caller-wait");
		});
	}

	@Test
	void aTokenRejectedThroughSpringsInterceptorIsRenewedForTheNextCall() {
		inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300), token("T3", 300));
		server.stubFor(apiWith("T1").willReturn(unauthorized()));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = springRestClient(context);
			assertThatExceptionOfType(HttpClientErrorException.Unauthorized.class).isThrownBy(
					() -> api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class));
			assertThat(api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class))
				.isEqualTo("hello");
			assertThat(api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class))
				.isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			assertThat(context.getBean(TokenManager.class).cachedToken("acme").accessToken().getTokenValue())
				.isEqualTo("T2");
		});
	}

	@Test
	void rejectionsOfOneTokenReportedByManyThreadsRenewItOnce() throws Exception {
		inSequence(server, TokenStubs::tokenRequest, token("T1", 300).withFixedDelay(200),
				token("T2", 300).withFixedDelay(200), token("T3", 300));
		server.stubFor(apiWith("T1").willReturn(unauthorized()));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.run((context) -> {
			RestClient api = springRestClient(context);
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				calls.add(() -> {
					try {
						return api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve()
							.body(String.class);
					}
					catch (HttpClientErrorException.Unauthorized ex) {
						return api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve()
							.body(String.class);
					}
				});
			}
			assertThat(Threads.runTogether(calls)).hasSize(50).containsOnly("hello");
			// A rejection reported after the token was renewed is of the old token: it must not renew the new one.
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void anApiThatRefusesEvenNewTokensThroughSpringsInterceptorIsNotSentATokenRequestPerCall() {
		inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300), token("T3", 300),
				token("T4", 300));
		server.stubFor(get(urlPathEqualTo(API_PATH))
			.willReturn(unauthorized()));
		this.runner.withPropertyValues("token.providers.acme.refresh.failure-cooldown=1h").run((context) -> {
			RestClient api = springRestClient(context);
			for (int i = 0; i < 10; i++) {
				assertThatExceptionOfType(HttpClientErrorException.Unauthorized.class).isThrownBy(() -> api.get()
					.uri(API_PATH)
					.attributes(clientRegistrationId("acme"))
					.retrieve()
					.body(String.class));
			}
			// T1 rejected, renewed as T2, which was rejected too: the API refuses even new tokens, so the
			// rejections of the cooldown renew nothing.
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void aReplacementTokenRevokedAfterTheCooldownIsRenewedLikeAnyOther() {
		inSequence(server, TokenStubs::tokenRequest, token("T1", 3600), token("T2", 3600), token("T3", 3600));
		server.stubFor(apiWith("T1").willReturn(unauthorized()));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		server.stubFor(apiWith("T3").willReturn(ok("hello again")));
		this.runner.withPropertyValues("token.providers.acme.refresh.failure-cooldown=1m").run((context) -> {
			RestClient api = springRestClient(context);
			assertThatExceptionOfType(HttpClientErrorException.Unauthorized.class).isThrownBy(
					() -> api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class));
			assertThat(api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class))
				.isEqualTo("hello");
			this.clock.advance(Duration.ofMinutes(2));
			server.stubFor(apiWith("T2").willReturn(unauthorized()));
			assertThatExceptionOfType(HttpClientErrorException.Unauthorized.class).isThrownBy(
					() -> api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class));
			assertThat(api.get().uri(API_PATH).attributes(clientRegistrationId("acme")).retrieve().body(String.class))
				.isEqualTo("hello again");
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	@Test
	void aForbiddenCallKeepsTheToken() {
		inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(403)
			.withHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\"")));
		this.runner.run((context) -> {
			RestClient api = springRestClient(context);
			for (int i = 0; i < 2; i++) {
				assertThatExceptionOfType(HttpClientErrorException.Forbidden.class).isThrownBy(() -> api.get()
					.uri(API_PATH)
					.attributes(clientRegistrationId("acme"))
					.retrieve()
					.body(String.class));
			}
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	private static RestClient springRestClient(ApplicationContext context) {
		OAuth2ClientHttpRequestInterceptor interceptor = new OAuth2ClientHttpRequestInterceptor(
				context.getBean(OAuth2AuthorizedClientManager.class));
		interceptor.setAuthorizationFailureHandler(context.getBean(OAuth2AuthorizationFailureHandler.class));
		return RestClient.builder().baseUrl(server.baseUrl()).requestInterceptor(interceptor).build();
	}

	private static ResponseDefinitionBuilder unauthorized() {
		return aResponse().withStatus(401).withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
	}

}
