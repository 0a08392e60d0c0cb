package com.example.payments;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.testing.AutoConfigureTokenProvider;
import dev.tokenstarter.testing.BearerTokenCheck;
import dev.tokenstarter.testing.TokenFailure;
import dev.tokenstarter.testing.TokenProviderStub;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@SpringBootTest
@AutoConfigureTokenProvider
class PaymentsTests {

	// The payments API: answers 401 to any token the stub did not issue, or revoked, or saw expire.
	@RegisterExtension
	static WireMockExtension api = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().extensions(new BearerTokenCheck()))
		.build();

	@DynamicPropertySource
	static void paymentsApi(DynamicPropertyRegistry registry) {
		registry.add("token.providers.payments.base-url", api::baseUrl);
	}

	@Autowired
	Payments payments;

	@BeforeEach
	void stubApi() {
		api.stubFor(get("/v1/payments/42").willReturn(okJson("{\"id\":\"42\"}")));
	}

	@Test
	void oneTokenRequestForManyCalls(TokenProviderStub provider) {
		for (int i = 0; i < 10; i++) {
			assertThat(this.payments.get("42")).contains("42");
		}
		assertThat(provider.tokenRequests("payments")).hasSize(1);
	}

	@Test
	void aRevokedTokenIsRenewedAndTheCallRetried(TokenProviderStub provider) {
		this.payments.get("42");
		provider.revokeAll();

		assertThat(this.payments.get("42")).contains("42");
		assertThat(provider.apiRejections()).isEqualTo(1);
		assertThat(provider.tokenRequests("payments")).hasSize(2);
	}

	@Test
	void aProviderThatIsDownFailsTheCall(TokenProviderStub provider) {
		provider.failAll(TokenFailure.serverError());

		assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> this.payments.get("42"))
			.satisfies((ex) -> assertThat(ex.getProvider()).isEqualTo("payments"));
		api.verify(0, getRequestedFor(urlEqualTo("/v1/payments/42")));
	}

}
