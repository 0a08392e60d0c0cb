package dev.tokenstarter.grant;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.ssl.ProviderSslContexts;

/**
 * The connector each provider's token endpoint and issuer metadata are reached through. It is the provider's own:
 * its SSL bundle, its timeouts ({@code retry.connect-timeout} and {@code retry.request-timeout}), never a redirect
 * (a token request carries the client's credentials), and not the application's HTTP client settings, made for
 * its APIs. The HTTP client library is the one Spring Boot detects: Reactor Netty when present, so an application
 * without it (a servlet application on the JDK's client, Jetty or Apache HttpClient) needs none for its tokens.
 * <p>
 * One connector per provider, built on first use and shared by all its grants and its discovery: with the JDK's,
 * Jetty's or Apache's client each connector is an HTTP client with threads of its own, kept as long as this is.
 */
public final class ProviderConnectors {

	private static final String REACTOR_NETTY = "reactor.netty.http.client.HttpClient";

	private final TokenSettings settings;

	private final ProviderSslContexts sslContexts;

	private final ClientHttpConnectorBuilder<?> builder;

	private final Map<String, ClientHttpConnector> connectors = new ConcurrentHashMap<>();

	/**
	 * Creates the connectors of the HTTP client library this class's class loader has.
	 * @param settings the providers' resolved settings
	 * @param sslContexts the providers' SSL bundles
	 */
	public ProviderConnectors(TokenSettings settings, ProviderSslContexts sslContexts) {
		Assert.notNull(settings, "settings cannot be null");
		Assert.notNull(sslContexts, "sslContexts cannot be null");
		this.settings = settings;
		this.sslContexts = sslContexts;
		this.builder = detect(ProviderConnectors.class.getClassLoader());
	}

	private static ClientHttpConnectorBuilder<?> detect(@Nullable ClassLoader classLoader) {
		return ClassUtils.isPresent(REACTOR_NETTY, classLoader) ? PlainReactorNetty.builder()
				: ClientHttpConnectorBuilder.detect(classLoader);
	}

	/**
	 * Returns the connector of a provider.
	 * @param registrationId the provider's name
	 * @return its connector
	 */
	public ClientHttpConnector connector(String registrationId) {
		return this.connectors.computeIfAbsent(registrationId, this::build);
	}

	private ClientHttpConnector build(String registrationId) {
		ProviderSettings provider = this.settings.provider(registrationId);
		HttpClientSettings settings = HttpClientSettings.defaults()
			.withTimeouts(provider.retry().connectTimeout(), provider.retry().requestTimeout())
			.withRedirects(HttpRedirects.DONT_FOLLOW)
			.withSslBundle(this.sslContexts.bundle(registrationId));
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
