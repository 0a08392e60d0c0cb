package dev.tokenstarter.grant;

import java.time.Duration;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static dev.tokenstarter.test.TokenStubs.tokenWithRefresh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code refresh-uri} is where refresh tokens go, for plain OAuth 2.0 and WSO2 providers as for Nomba: the token
 * endpoint only sees the primary grant.
 */
class RefreshUriTests {

	private static final String REFRESH_PATH = "/refresh";

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme")
		.withPropertyValues("token.providers.acme.refresh-uri=" + server.baseUrl() + REFRESH_PATH);

	@ParameterizedTest(name = "token-request-format {0}")
	@ValueSource(strings = { "form", "json" })
	void clientCredentialsProvidersSendRefreshTokensToTheRefreshUri(String format) {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh("T1", 300, "R1")));
		server.stubFor(refreshRequest().willReturn(tokenWithRefresh("T2", 300, "R2")));
		this.runner.withPropertyValues("token.providers.acme.token-request-format=" + format)
			.run((context) -> assertRefreshedAtTheRefreshUri(context.getBean(TokenManager.class)));
	}

	@ParameterizedTest(name = "type {0}")
	@ValueSource(strings = { "oauth2", "wso2" })
	void passwordGrantProvidersSendRefreshTokensToTheRefreshUri(String type) {
		server.stubFor(tokenRequest().willReturn(tokenWithRefresh("T1", 300, "R1")));
		server.stubFor(refreshRequest().willReturn(tokenWithRefresh("T2", 300, "R2")));
		this.runner
			.withPropertyValues("token.providers.acme.type=" + type, "token.providers.acme.grant-type=password",
					"token.providers.acme.username=svc", "token.providers.acme.password=pw")
			.run((context) -> assertRefreshedAtTheRefreshUri(context.getBean(TokenManager.class)));
	}

	private void assertRefreshedAtTheRefreshUri(TokenManager tokens) {
		assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
		this.clock.advance(Duration.ofSeconds(301));
		assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T2");
		assertThat(count(server, postRequestedFor(urlPathEqualTo(REFRESH_PATH))
			.withRequestBody(containing("refresh_token")).withRequestBody(containing("R1")))).isEqualTo(1);
		assertThat(count(server, tokenRequests())).isEqualTo(1);
	}

	private static MappingBuilder refreshRequest() {
		return post(urlPathEqualTo(REFRESH_PATH));
	}

}
