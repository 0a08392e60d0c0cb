package com.example.payments;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.testing.AutoConfigureTokenProvider;
import dev.tokenstarter.testing.BearerTokenCheck;
import dev.tokenstarter.testing.TokenProviderStub;
import dev.tokenstarter.testing.TokenRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Nomba and WSO2 through the stub: Nomba's JSON requests and envelopes at its own issue and refresh endpoints,
 * WSO2's password grant, refresh tokens on expiry, and a new token ending the earlier one as both providers do.
 */
@SpringBootTest
@AutoConfigureTokenProvider(providers = { "nomba", "wso2" })
class SingleSessionProvidersTests {

	@RegisterExtension
	static WireMockExtension api = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().extensions(new BearerTokenCheck()))
		.build();

	@DynamicPropertySource
	static void apis(DynamicPropertyRegistry registry) {
		registry.add("token.providers.nomba.base-url", api::baseUrl);
		registry.add("token.providers.wso2.base-url", api::baseUrl);
	}

	@Autowired
	@Qualifier("nombaWebClient")
	WebClient nomba;

	@Autowired
	@Qualifier("wso2RestClient")
	RestClient wso2;

	@BeforeEach
	void stubApis() {
		api.stubFor(get("/v1/accounts/parent-account")
			.withHeader("accountId", equalTo("parent-account"))
			.willReturn(okJson("{\"balance\":\"10.00\"}")));
		api.stubFor(get("/orders/7").willReturn(okJson("{\"order\":7}")));
	}

	@Test
	void nombaIssuesThroughItsOwnEndpointWithTheAccountHeader(TokenProviderStub provider) {
		assertThat(callNomba()).contains("10.00");
		assertThat(callNomba()).contains("10.00");

		assertThat(provider.tokenRequests()).extracting(TokenRequest::provider, TokenRequest::grantType,
				TokenRequest::status)
			.containsExactly(tuple("nomba", "client_credentials", 200));
	}

	@Test
	void nombaRenewsWithItsRefreshTokenWhenTheTokenExpires(TokenProviderStub provider) {
		// Nomba states an expiry time, which the starter wants at least a second ahead when the answer is read.
		provider.setTokenLifetime(Duration.ofSeconds(5));
		assertThat(callNomba()).contains("10.00");

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			assertThat(callNomba()).contains("10.00");
			assertThat(provider.tokenRequests("nomba")).extracting(TokenRequest::grantType, TokenRequest::status)
				.contains(tuple("refresh_token", 200));
		});
	}

	@Test
	void aRevokedNombaTokenIsReplacedAndTheCallRetried(TokenProviderStub provider) {
		callNomba();
		provider.revokeAll();

		assertThat(callNomba()).contains("10.00");
		assertThat(provider.apiRejections()).isEqualTo(1);
		// The revoked refresh token is refused; the client's credentials then get a new session.
		assertThat(provider.tokenRequests("nomba")).last()
			.extracting(TokenRequest::grantType, TokenRequest::status)
			.containsExactly("client_credentials", 200);
	}

	@Test
	void wso2SignsInWithThePasswordGrantAndRefreshes(TokenProviderStub provider) {
		provider.setTokenLifetime(Duration.ofSeconds(2));
		assertThat(callWso2()).contains("7");
		assertThat(provider.tokenRequests("wso2")).extracting(TokenRequest::grantType)
			.containsExactly("password");

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			assertThat(callWso2()).contains("7");
			assertThat(provider.tokenRequests("wso2")).extracting(TokenRequest::grantType, TokenRequest::status)
				.contains(tuple("refresh_token", 200));
		});
	}

	private String callNomba() {
		return this.nomba.get().uri("/v1/accounts/parent-account").retrieve().bodyToMono(String.class).block();
	}

	private String callWso2() {
		return this.wso2.get().uri("/orders/7").retrieve().body(String.class);
	}

}
