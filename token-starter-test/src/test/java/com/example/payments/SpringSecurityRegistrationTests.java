package com.example.payments;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.testing.AutoConfigureTokenProvider;
import dev.tokenstarter.testing.BearerTokenCheck;
import dev.tokenstarter.testing.TokenProviderStub;
import dev.tokenstarter.testing.TokenRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A registration of Spring Security's ({@code spring.security.oauth2.client.registration.*}) gets its tokens from
 * the stub too, with the client authentication it is configured with.
 */
@SpringBootTest(properties = { "spring.security.oauth2.client.registration.ledger.provider=corporate",
		"spring.security.oauth2.client.registration.ledger.client-id=ledger-client",
		"spring.security.oauth2.client.registration.ledger.client-secret=ledger-secret",
		"spring.security.oauth2.client.registration.ledger.client-authentication-method=client_secret_post",
		"spring.security.oauth2.client.registration.ledger.authorization-grant-type=client_credentials",
		"spring.security.oauth2.client.provider.corporate.token-uri=https://sso.example.com/oauth2/token" })
@AutoConfigureTokenProvider(providers = "ledger")
class SpringSecurityRegistrationTests {

	@RegisterExtension
	static WireMockExtension api = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().extensions(new BearerTokenCheck()))
		.build();

	@Autowired
	TokenClients clients;

	@Test
	void aSpringSecurityRegistrationIsServedByTheStub(TokenProviderStub provider) {
		api.stubFor(get("/entries").willReturn(okJson("[\"entry\"]")));

		String entries = this.clients.webClient("ledger")
			.get()
			.uri(api.baseUrl() + "/entries")
			.retrieve()
			.bodyToMono(String.class)
			.block();

		assertThat(entries).contains("entry");
		assertThat(provider.tokenRequests()).extracting(TokenRequest::provider, TokenRequest::grantType,
				TokenRequest::status)
			.containsExactly(tuple("ledger", "client_credentials", 200));
	}

}
