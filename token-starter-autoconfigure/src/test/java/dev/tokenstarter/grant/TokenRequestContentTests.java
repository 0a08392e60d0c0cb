package dev.tokenstarter.grant;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a token request carries: client authentication, scopes, audience, extra parameters and headers.
 */
class TokenRequestContentTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, MutableClock.startingNow(),
			"acme");

	@Test
	void basicAuthenticationWithScopesAudienceParametersAndHeaders() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		this.runner
			.withPropertyValues("token.providers.acme.scopes=payments.read,payments.write",
					"token.providers.acme.audience=https://api.example.com",
					"token.providers.acme.parameters.resource=urn:payments",
					"token.providers.acme.headers.X-Tenant=blue")
			.run((context) -> {
				context.getBean(TokenManager.class).token("acme").block();
				server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
					.withHeader("Authorization", equalTo("Basic Y2xpZW50LWFjbWU6c2VjcmV0LWFjbWU="))
					.withHeader("X-Tenant", equalTo("blue"))
					.withRequestBody(containing("grant_type=client_credentials"))
					.withRequestBody(containing("scope=payments.read+payments.write"))
					.withRequestBody(containing("audience=https%3A%2F%2Fapi.example.com"))
					.withRequestBody(containing("resource=urn%3Apayments")));
			});
	}

	@Test
	void postAuthenticationSendsTheCredentialsInTheBody() {
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		this.runner.withPropertyValues("token.providers.acme.client-authentication=client_secret_post")
			.run((context) -> {
				context.getBean(TokenManager.class).token("acme").block();
				server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
					.withHeader("Authorization", absent())
					.withRequestBody(containing("client_id=client-acme"))
					.withRequestBody(containing("client_secret=secret-acme")));
			});
	}

	@Test
	void springSecurityRegistrationsGetTheSameEngine() {
		server.stubFor(tokenRequest().willReturn(token("LEGACY", 300)));
		ClientRegistration legacy = ClientRegistration.withRegistrationId("legacy")
			.clientId("legacy-id")
			.clientSecret("legacy-secret")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri(server.baseUrl() + TokenStubs.TOKEN_PATH)
			.build();
		this.runner.withBean(InMemoryClientRegistrationRepository.class, () -> new InMemoryClientRegistrationRepository(legacy))
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				assertThat(tokens.token("legacy").block().accessToken().getTokenValue()).isEqualTo("LEGACY");
				server.verify(postRequestedFor(urlPathEqualTo(TokenStubs.TOKEN_PATH))
					.withHeader("Authorization", equalTo("Basic bGVnYWN5LWlkOmxlZ2FjeS1zZWNyZXQ=")));
			});
	}

}
