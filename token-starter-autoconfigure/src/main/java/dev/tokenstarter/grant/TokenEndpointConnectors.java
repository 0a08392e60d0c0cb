package dev.tokenstarter.grant;

import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

import dev.tokenstarter.config.ProviderSettings;

/**
 * Builds the connector of each provider's token endpoint. It is the token endpoint's own: its timeouts are the
 * provider's {@code retry.connect-timeout} and {@code retry.request-timeout}, it never follows a redirect (a token
 * request carries the client's credentials), and the application's HTTP client settings, made for its APIs, do
 * not apply. The HTTP client library is the one Spring Boot detects: Reactor Netty when present, so an application
 * without it (a servlet application on the JDK's client, Jetty or Apache HttpClient) needs none for its tokens.
 */
final class TokenEndpointConnectors {

	private static final String REACTOR_NETTY = "reactor.netty.http.client.HttpClient";

	private final ClientHttpConnectorBuilder<?> builder;

	private TokenEndpointConnectors(ClientHttpConnectorBuilder<?> builder) {
		Assert.notNull(builder, "builder cannot be null");
		this.builder = builder;
	}

	/**
	 * Returns the connectors of the HTTP client library the class loader has.
	 * @param classLoader the class loader to detect the library with, or null for the default one
	 * @return the connectors
	 */
	static TokenEndpointConnectors detect(@Nullable ClassLoader classLoader) {
		ClientHttpConnectorBuilder<?> builder = ClassUtils.isPresent(REACTOR_NETTY, classLoader)
				? PlainReactorNetty.builder() : ClientHttpConnectorBuilder.detect(classLoader);
		return new TokenEndpointConnectors(builder);
	}

	/**
	 * Returns a new connector for the provider's token endpoint.
	 * @param provider the provider's settings
	 * @param sslBundle the provider's SSL bundle, or null for the library's defaults (the JVM's trust material)
	 * @return the connector
	 */
	ClientHttpConnector connector(ProviderSettings provider, @Nullable SslBundle sslBundle) {
		HttpClientSettings settings = HttpClientSettings.defaults()
			.withTimeouts(provider.retry().connectTimeout(), provider.retry().requestTimeout())
			.withRedirects(HttpRedirects.DONT_FOLLOW)
			.withSslBundle(sslBundle);
		return this.builder.build(settings);
	}

	/**
	 * Reactor Netty without Spring Boot's default of asking for compressed answers and decoding them, which token
	 * requests must not do (see {@link TokenResponseBodyExtractor}), but with its other default, the proxy of the
	 * JVM's system properties, which the application's own clients use too. A class of its own, loaded only when
	 * Reactor Netty is present.
	 */
	private static final class PlainReactorNetty {

		static ClientHttpConnectorBuilder<?> builder() {
			return ClientHttpConnectorBuilder.reactor()
				.withoutHttpClientDefaults()
				.withHttpClientCustomizer(HttpClient::proxyWithSystemProperties);
		}

	}

}
