package dev.tokenstarter.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.web.client.RequestAttributePrincipalResolver;
import org.springframework.security.oauth2.client.web.reactive.function.client.ServletOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.SubjectTokenKeys;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.JwtBearerAssertions;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.TOKEN_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static dev.tokenstarter.test.TokenStubs.tokenWithRefresh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Token exchange and JWT bearer against a strict WireMock token endpoint, which answers only requests of the
 * grant with every parameter it needs: what is sent, what is kept (no refresh token, no token outliving its
 * subject), and the refusals, which reach the caller clearly and leave nothing stored.
 */
class DelegatedGrantStubTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

	private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

	private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

	private static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private ApplicationContextRunner runner() {
		return EngineTestSupport.runner(provider, this.clock, "orders")
			.withPropertyValues("token.providers.orders.grant-type=token-exchange",
					"token.providers.orders.audience=orders-api",
					"token.providers.orders.requested-token-type=" + JWT_TYPE,
					"token.providers.orders.refresh.failure-cooldown=0s");
	}

	private OAuth2AccessToken subject(String value, Duration lifetime) {
		Instant now = this.clock.instant();
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plus(lifetime));
	}

	private static MappingBuilder exchangeOf(String subjectToken) {
		return tokenRequest().withFormParam("grant_type", equalTo(EXCHANGE))
			.withFormParam("subject_token", equalTo(subjectToken))
			.withFormParam("subject_token_type", equalTo(ACCESS_TOKEN_TYPE))
			.withFormParam("audience", equalTo("orders-api"))
			.withFormParam("requested_token_type", equalTo(JWT_TYPE));
	}

	@Test
	void anExchangeSendsTheSubjectAndRequestedTypeOnceAndKeepsNoRefreshToken() {
		OAuth2AccessToken alice = subject("S-alice", Duration.ofHours(1));
		TokenKey key = TokenKey.forProvider("orders").subjectToken(alice).build();
		provider.stubFor(exchangeOf("S-alice").willReturn(tokenWithRefresh("X1", 300, "R1")));
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken first = tokens.token(key).block(BOUND);
			assertThat(first.accessToken().getTokenValue()).isEqualTo("X1");
			assertThat(first.authorizedClient().getRefreshToken()).isNull();
			String body = provider.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))).get(0).getBodyAsString();
			// Spring Security sets its own requested_token_type: the configured one replaces it, not joins it.
			assertThat(body.split("requested_token_type=", -1)).hasSize(2);
			this.clock.advance(Duration.ofSeconds(301));
			provider.stubFor(exchangeOf("S-alice").willReturn(tokenWithRefresh("X2", 300, "R2")));
			assertThat(tokens.token(key).block(BOUND).accessToken().getTokenValue()).isEqualTo("X2");
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
			assertThat(count(provider, tokenRequests().withFormParam("grant_type", equalTo("refresh_token"))))
				.isZero();
		});
	}

	@Test
	void anExchangedTokenNeverOutlivesItsSubjectToken() {
		OAuth2AccessToken alice = subject("S-alice", Duration.ofSeconds(60));
		TokenKey key = TokenKey.forProvider("orders").subjectToken(alice).build();
		provider.stubFor(exchangeOf("S-alice").willReturn(token("X1", 3600)));
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ManagedToken held = tokens.token(key).block(BOUND);
			assertThat(held.accessToken().getExpiresAt()).isBeforeOrEqualTo(alice.getExpiresAt());
			this.clock.advance(Duration.ofSeconds(61));
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.token(key).block(BOUND))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_grant"))
				.withMessageContaining("subject token has expired");
			// The expired subject token is never presented.
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void aSubjectTokenThatExpiresWhileTheProviderAnswersGetsNoTokenBornExpired() {
		Instant now = Instant.now();
		OAuth2AccessToken alice = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "S-alice", now,
				now.plusMillis(1000));
		TokenKey key = TokenKey.forProvider("orders").subjectToken(alice).build();
		provider.stubFor(exchangeOf("S-alice").willReturn(token("X1", 300).withFixedDelay(2000)));
		EngineTestSupport.runner(provider, Clock.systemUTC(), "orders")
			.withPropertyValues("token.providers.orders.grant-type=token-exchange",
					"token.providers.orders.audience=orders-api",
					"token.providers.orders.requested-token-type=" + JWT_TYPE)
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token(key).block(BOUND))
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_grant"))
					.withMessageContaining("subject token has expired");
				assertThat(tokens.usableToken(key)).isNull();
				assertThat(count(provider, tokenRequests())).isEqualTo(1);
			});
	}

	@Test
	void aRefusedExchangeFailsClearlyAndStoresNothing() {
		OAuth2AccessToken mallory = subject("S-mallory", Duration.ofHours(1));
		TokenKey key = TokenKey.forProvider("orders").subjectToken(mallory).build();
		provider.stubFor(exchangeOf("S-mallory").willReturn(error(400, "invalid_grant")));
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.token(key).block(BOUND))
				.satisfies((ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo("invalid_grant");
					assertThat(ex.getProvider()).isEqualTo("orders");
				})
				.withMessageNotContaining("S-mallory");
			assertThat(tokens.usableToken(key)).isNull();
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.loadAuthorizedClient("orders", "subject-token:" + sha256("S-mallory"))
				.blockOptional(BOUND)).isEmpty();
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void aProviderOfTokenExchangeServesNoTokenWithoutASubject() {
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.token("orders").block(BOUND))
				.withMessageContaining("needs a subject token");
			assertThat(count(provider, tokenRequests())).isZero();
		});
	}

	@Test
	void aRejectedExchangedTokenIsExchangedAgainOnceAndTheCallRetried() {
		OAuth2AccessToken alice = subject("S-alice", Duration.ofHours(1));
		TokenKey key = TokenKey.forProvider("orders").subjectToken(alice).build();
		inSequence(provider, () -> exchangeOf("S-alice"), token("X1", 300), token("X2", 300));
		provider.stubFor(apiWith("X1").willReturn(aResponse().withStatus(401)));
		provider.stubFor(apiWith("X2").willReturn(aResponse().withStatus(200).withBody("ok")));
		runner().run((context) -> {
			String answer = context.getBean(TokenClients.class)
				.webClient("orders")
				.get()
				.uri(API_PATH)
				.attributes(TokenKeyAttributes.tokenKey(key))
				.retrieve()
				.bodyToMono(String.class)
				.block(BOUND);
			assertThat(answer).isEqualTo("ok");
			assertThat(count(provider, tokenRequests())).isEqualTo(2);
			assertThat(count(provider, getRequestedFor(urlPathEqualTo(API_PATH)))).isEqualTo(2);
		});
	}

	@Test
	void aReactiveCallCarriesTheTokenExchangedForTheUserOfItsSecurityContext() {
		OAuth2AccessToken alice = subject("S-alice", Duration.ofHours(1));
		provider.stubFor(exchangeOf("S-alice").willReturn(token("X-alice", 300)));
		provider.stubFor(apiWith("X-alice").willReturn(aResponse().withStatus(200).withBody("ok")));
		runner().run((context) -> {
			WebClient orders = context.getBean(TokenClients.class)
				.webClient("orders")
				.mutate()
				.filters((filters) -> filters.add(0, SubjectTokenKeys.reactive("orders")))
				.build();
			Mono<String> call = orders.get().uri(API_PATH).retrieve().bodyToMono(String.class);
			assertThat(call
				.contextWrite(ReactiveSecurityContextHolder.withAuthentication(new BearerTokenAuthentication(
						new DefaultOAuth2AuthenticatedPrincipal("alice", Map.of("sub", "alice"), List.of()), alice,
						List.of())))
				.block(BOUND)).isEqualTo("ok");
			assertThatIllegalStateException().isThrownBy(() -> call.block(BOUND))
				.withMessageContaining("No authentication in the reactive security context");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
		});
	}

	/**
	 * A token-exchange provider has no application token: a call that names no key acts for the user it is made
	 * for, as Spring Security's own interceptor does with the request's principal, so that calls through an HTTP
	 * interface ({@code @ClientRegistrationId}) or a provider's client need no key of their own.
	 */
	@Test
	void aCallThatNamesNoKeyCarriesTheTokenExchangedForTheUserItIsMadeFor() {
		OAuth2AccessToken alice = subject("S-alice", Duration.ofHours(1));
		BearerTokenAuthentication authentication = new BearerTokenAuthentication(
				new DefaultOAuth2AuthenticatedPrincipal("alice", Map.of("sub", "alice"), List.of()), alice, List.of());
		provider.stubFor(exchangeOf("S-alice").willReturn(token("X-alice", 300)));
		provider.stubFor(apiWith("X-alice").willReturn(aResponse().withStatus(200).withBody("ok")));
		runner().run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			SecurityContextHolder.getContext().setAuthentication(authentication);
			try {
				assertThat(clients.restClient("orders").get().uri(API_PATH).retrieve().body(String.class))
					.isEqualTo("ok");
			}
			finally {
				SecurityContextHolder.clearContext();
			}
			// As a call names it for Spring Security's OAuth2ClientHttpRequestInterceptor.
			assertThat(clients.restClient("orders")
				.get()
				.uri(API_PATH)
				.attributes(RequestAttributePrincipalResolver.principal(authentication))
				.retrieve()
				.body(String.class)).isEqualTo("ok");
			assertThat(clients.webClient("orders")
				.get()
				.uri(API_PATH)
				.retrieve()
				.bodyToMono(String.class)
				.contextWrite(ReactiveSecurityContextHolder.withAuthentication(authentication))
				.block(BOUND)).isEqualTo("ok");
			// A servlet request's, as Spring Security's servlet support hands it to a call on another thread, and
			// as a call names it for Spring Security's servlet exchange filter.
			assertThat(clients.webClient("orders")
				.get()
				.uri(API_PATH)
				.retrieve()
				.bodyToMono(String.class)
				.subscribeOn(Schedulers.boundedElastic())
				.contextWrite(Context.of("org.springframework.security.SECURITY_CONTEXT_ATTRIBUTES",
						Map.of(Authentication.class, authentication)))
				.block(BOUND)).isEqualTo("ok");
			assertThat(clients.webClient("orders")
				.get()
				.uri(API_PATH)
				.attributes(ServletOAuth2AuthorizedClientExchangeFilterFunction.authentication(authentication))
				.retrieve()
				.bodyToMono(String.class)
				.subscribeOn(Schedulers.boundedElastic())
				.block(BOUND)).isEqualTo("ok");
			assertThat(count(provider, tokenRequests())).isEqualTo(1);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> clients.restClient("orders").get().uri(API_PATH).retrieve().body(String.class))
				.withMessageContaining("needs a subject token");
			// A reactive call is made for the user of its own security context, never for a thread's.
			SecurityContextHolder.getContext().setAuthentication(authentication);
			try {
				assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> clients.webClient("orders")
					.get()
					.uri(API_PATH)
					.retrieve()
					.bodyToMono(String.class)
					.contextWrite(ReactiveSecurityContextHolder
						.withAuthentication(new TestingAuthenticationToken("bob", "n/a")))
					.block(BOUND)).withMessageContaining("needs a subject token");
			}
			finally {
				SecurityContextHolder.clearContext();
			}
		});
	}

	@Test
	void jwtBearerPresentsTheSubjectJwtOrTheApplicationsAssertion() {
		Jwt userJwt = Jwt.withTokenValue("h.user.s")
			.header("alg", "RS256")
			.subject("alice")
			.issuedAt(this.clock.instant())
			.expiresAt(this.clock.instant().plusSeconds(3600))
			.build();
		Jwt appJwt = Jwt.withTokenValue("h.app.s").header("alg", "RS256").subject("app").build();
		provider.stubFor(tokenRequest().withFormParam("grant_type", equalTo(JWT_BEARER))
			.withFormParam("assertion", equalTo("h.user.s"))
			.willReturn(token("J-user", 300)));
		provider.stubFor(tokenRequest().withFormParam("grant_type", equalTo(JWT_BEARER))
			.withFormParam("assertion", equalTo("h.app.s"))
			.willReturn(token("J-app", 300)));
		EngineTestSupport.runner(provider, this.clock, "partner")
			.withPropertyValues("token.providers.partner.grant-type=jwt-bearer")
			.withBean(JwtBearerAssertions.class, () -> (registration) -> Mono.just(appJwt))
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThat(tokens.token(TokenKey.forProvider("partner").subjectToken(userJwt).build())
					.block(BOUND)
					.accessToken()
					.getTokenValue()).isEqualTo("J-user");
				assertThat(tokens.token("partner").block(BOUND).accessToken().getTokenValue()).isEqualTo("J-app");
				OAuth2AccessToken opaque = subject("opaque", Duration.ofHours(1));
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token(TokenKey.forProvider("partner").subjectToken(opaque).build())
						.block(BOUND))
					.withMessageContaining("needs a JWT");
				assertThat(count(provider, tokenRequests())).isEqualTo(2);
			});
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
