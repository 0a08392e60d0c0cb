package dev.tokenstarter.grant;

import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.TOKEN_PATH;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token requests on Reactor Netty go through the proxy the JVM is told of ({@code http.proxyHost}), as the
 * application's own clients built by Spring Boot do: where only a proxy reaches the provider, going direct fails
 * every token request, as a transient error retried for ever.
 */
class TokenEndpointProxyTests {

	/** Stands for the proxy: it answers the token requests sent to it for a host only it knows. */
	@RegisterExtension
	static final WireMockExtension proxy = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void tokenRequestsGoThroughTheJvmsProxy() {
		proxy.stubFor(tokenRequest().willReturn(token("PROXIED", 300)));
		String host = System.getProperty("http.proxyHost");
		String port = System.getProperty("http.proxyPort");
		System.setProperty("http.proxyHost", "127.0.0.1");
		System.setProperty("http.proxyPort", Integer.toString(proxy.getPort()));
		try {
			EngineTestSupport.runner(proxy, this.clock, "acme")
				.withPropertyValues("token.providers.acme.token-uri=http://provider.invalid" + TOKEN_PATH,
						"token.providers.acme.retry.max-attempts=1")
				.run((context) -> {
					String token = context.getBean(TokenManager.class)
						.token("acme")
						.block(Duration.ofSeconds(30))
						.accessToken()
						.getTokenValue();
					assertThat(token).isEqualTo("PROXIED");
					proxy.verify(1, postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
				});
		}
		finally {
			restore("http.proxyHost", host);
			restore("http.proxyPort", port);
		}
	}

	private static void restore(String property, String value) {
		if (value != null) {
			System.setProperty(property, value);
		}
		else {
			System.clearProperty(property);
		}
	}

}
