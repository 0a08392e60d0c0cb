package com.example.payments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.testing.AutoConfigureTokenProvider;
import dev.tokenstarter.testing.BearerTokenCheck;
import dev.tokenstarter.testing.TokenFailure;
import dev.tokenstarter.testing.TokenProviderStub;
import dev.tokenstarter.testing.TokenRequest;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The stub used as an application's tests would use it, with each kind of client the starter serves: a
 * {@code WebClient}, a {@code RestClient} and an HTTP interface, against an API stub that refuses tokens the
 * provider stub does not hold valid.
 */
@SpringBootTest
@AutoConfigureTokenProvider(providers = "payments")
class ClientKindsTests {

	private static final String PAYMENT = "/v1/payments/42";

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

	@Autowired
	@Qualifier("paymentsWebClient")
	WebClient webClient;

	@Autowired
	@Qualifier("paymentsRestClient")
	RestClient restClient;

	@BeforeEach
	void stubApi() {
		api.stubFor(get(PAYMENT).willReturn(okJson("{\"id\":\"42\"}")));
	}

	@Test
	void concurrentCallsOfEveryKindShareOneTokenRequest(TokenProviderStub provider) throws Exception {
		List<Supplier<String>> callers = List.of(client("webClient"), client("restClient"), client("httpInterface"));
		ExecutorService threads = Executors.newFixedThreadPool(12);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<String>> calls = new ArrayList<>();
			for (int i = 0; i < 60; i++) {
				Supplier<String> caller = callers.get(i % callers.size());
				calls.add(threads.submit(() -> {
					start.await();
					return caller.get();
				}));
			}
			start.countDown();
			for (Future<String> call : calls) {
				assertThat(call.get(60, TimeUnit.SECONDS)).contains("42");
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(provider.tokenRequests()).extracting(TokenRequest::provider, TokenRequest::grantType,
				TokenRequest::status)
			.containsExactly(tuple("payments", "client_credentials", 200));
		api.verify(60, getRequestedFor(urlEqualTo(PAYMENT)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "webClient", "restClient", "httpInterface" })
	void aRevokedTokenIsRenewedAndTheRejectedCallRetried(String kind, TokenProviderStub provider) {
		Supplier<String> call = client(kind);
		assertThat(call.get()).contains("42");
		assertThat(provider.revokeAll()).isEqualTo(1);

		assertThat(call.get()).contains("42");
		assertThat(provider.apiRejections()).isEqualTo(1);
		assertThat(provider.tokenRequests("payments")).hasSize(2).allMatch(TokenRequest::granted);
		assertThat(api.getAllServeEvents()).extracting((event) -> event.getResponse().getStatus())
			.containsExactlyInAnyOrder(200, 401, 200);
	}

	@ParameterizedTest
	@ValueSource(strings = { "webClient", "restClient", "httpInterface" })
	void aProviderAnswering5xxFailsTheCallWithTheStartersError(String kind, TokenProviderStub provider) {
		provider.failAll(TokenFailure.serverError());

		assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> client(kind).get())
			.satisfies((ex) -> {
				assertThat(ex.getProvider()).isEqualTo("payments");
				assertThat(ex.isTransientFailure()).isTrue();
			});
		// token.defaults.retry.max-attempts: 2
		assertThat(provider.tokenRequests("payments")).extracting(TokenRequest::status).containsExactly(503, 503);
		api.verify(0, getRequestedFor(urlEqualTo(PAYMENT)));

		provider.recover();
		assertThat(client(kind).get()).contains("42");
	}

	@Test
	void refusedCredentialsAreNotRetried(TokenProviderStub provider) {
		provider.failNext("payments", TokenFailure.invalidClient());

		assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> this.payments.get("42"))
			.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_client"));
		assertThat(provider.tokenRequests("payments")).extracting(TokenRequest::status).containsExactly(401);
	}

	@ParameterizedTest
	@ValueSource(strings = { "webClient", "restClient", "httpInterface" })
	void aTokenIsRenewedWhenItsLifetimeEnds(String kind, TokenProviderStub provider) {
		provider.setTokenLifetime(Duration.ofSeconds(2));
		Supplier<String> call = client(kind);
		assertThat(call.get()).contains("42");

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			assertThat(call.get()).contains("42");
			assertThat(provider.tokenRequests("payments")).hasSizeGreaterThanOrEqualTo(2);
		});
		assertThat(provider.tokenRequests("payments")).allMatch(TokenRequest::granted);
	}

	@Test
	void aSlowProviderDelaysTheFirstCallOnly(TokenProviderStub provider) {
		provider.failNext(TokenFailure.slow(Duration.ofSeconds(1)));

		long started = System.nanoTime();
		assertThat(this.payments.get("42")).contains("42");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(this.payments.get("42")).contains("42");
		assertThat(provider.tokenRequests("payments")).hasSize(1);
	}

	private Supplier<String> client(String kind) {
		return switch (kind) {
			case "webClient" -> () -> this.webClient.get().uri(PAYMENT).retrieve().bodyToMono(String.class).block();
			case "restClient" -> () -> this.restClient.get().uri(PAYMENT).retrieve().body(String.class);
			case "httpInterface" -> () -> this.payments.get("42");
			default -> throw new IllegalArgumentException(kind);
		};
	}

}
