package dev.tokenstarter.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Which properties point which providers at the stub, and what the stub then expects of their clients.
 */
class StubbedProvidersTests {

	private static final String STUB = "http://127.0.0.1:1234";

	private final MockEnvironment environment = new MockEnvironment()
		.withProperty("token.defaults.client-authentication", "client_secret_post")
		.withProperty("token.providers.payments.token-uri", "https://auth.example.com/token")
		.withProperty("token.providers.payments.client-id", "${PAYMENTS_ID:payments-client}")
		.withProperty("token.providers.payments.client-secret", "payments-secret")
		.withProperty("token.providers.audit.issuer-uri", "https://issuer.example.com")
		.withProperty("token.providers.audit.client-id", "audit")
		.withProperty("token.providers.audit.client-authentication", "client_secret_basic")
		.withProperty("token.providers.audit.token-request-format", "json")
		.withProperty("token.providers.nomba.type", "nomba")
		.withProperty("token.providers.nomba.nomba-environment", "sandbox")
		.withProperty("token.providers.nomba.account-id", "parent")
		.withProperty("token.providers.nomba.client-id", "nomba-client")
		.withProperty("token.providers.wso2.type", "wso2")
		.withProperty("token.providers.wso2.token-uri", "https://apim.example.com/oauth2/token")
		.withProperty("token.providers.wso2.revoke-uri", "https://apim.example.com/oauth2/revoke")
		.withProperty("token.providers.wso2.username", "alice")
		.withProperty("token.providers.wso2.client-id", "wso2-key")
		.withProperty("spring.security.oauth2.client.registration.ledger.client-id", "ledger-client")
		.withProperty("spring.security.oauth2.client.registration.ledger.authorization-grant-type", "client_credentials")
		.withProperty("spring.security.oauth2.client.registration.ledger.provider", "corporate")
		.withProperty("spring.security.oauth2.client.registration.login.client-id", "login-client")
		.withProperty("spring.security.oauth2.client.registration.login.authorization-grant-type", "authorization_code");

	@Test
	void pointsEveryTokenEndpointAtTheStubAndLeavesTheApisAlone() {
		StubbedProviders stubbed = StubbedProviders.of(this.environment, Set.of(), STUB);

		assertThat(stubbed.overrides()).containsOnly(
				entry("token.providers.payments.token-uri", STUB + "/payments/token"),
				entry("token.providers.audit.token-uri", STUB + "/audit/token"),
				entry("token.providers.nomba.token-uri", STUB + "/nomba/v1/auth/token/issue"),
				entry("token.providers.nomba.refresh-uri", STUB + "/nomba/v1/auth/token/refresh"),
				entry("token.providers.nomba.revoke-uri", STUB + "/nomba/v1/auth/token/revoke"),
				entry("token.providers.wso2.token-uri", STUB + "/wso2/token"),
				entry("token.providers.wso2.revoke-uri", STUB + "/wso2/revoke"),
				entry("spring.security.oauth2.client.provider.corporate.token-uri", STUB + "/security-corporate/token"));
	}

	@Test
	void expectsWhatEachClientIsConfiguredToSend() {
		StubbedProviders stubbed = StubbedProviders.of(this.environment, Set.of(), STUB);

		assertThat(stubbed.providers()).containsExactlyInAnyOrder(
				new StubbedProvider("payments", false, false, List.of(new StubbedClient("payments",
						"payments-client", "payments-secret", "client_secret_post", "client_credentials", null, null,
						null, false))),
				new StubbedProvider("audit", false, false, List.of(new StubbedClient("audit", "audit", null,
						"client_secret_basic", "client_credentials", null, null, null, true))),
				new StubbedProvider("nomba", true, true, List.of(new StubbedClient("nomba", "nomba-client",
						null, "client_secret_post", "client_credentials", null, null, "parent", true))),
				new StubbedProvider("wso2", false, true, List.of(new StubbedClient("wso2", "wso2-key", null,
						"client_secret_post", "password", "alice", null, null, false))),
				new StubbedProvider("security-corporate", false, false, List.of(new StubbedClient("ledger",
						"ledger-client", null, "client_secret_basic", "client_credentials", null, null, null, false))));
	}

	@Test
	void stubsOnlyTheNamedProviders() {
		StubbedProviders stubbed = StubbedProviders.of(this.environment, Set.of("wso2", "ledger"), STUB);

		assertThat(stubbed.overrides()).containsOnlyKeys("token.providers.wso2.token-uri",
				"token.providers.wso2.revoke-uri", "spring.security.oauth2.client.provider.corporate.token-uri");
	}

	@Test
	void aNameConfiguredNowhereFailsNamingIt() {
		assertThatIllegalStateException()
			.isThrownBy(() -> StubbedProviders.of(this.environment, Set.of("payments", "paymnets"), STUB))
			.withMessageContaining("[paymnets]")
			.withMessageContaining("token.providers");
	}

	private static Map.Entry<String, Object> entry(String key, Object value) {
		return Map.entry(key, value);
	}

}
