package dev.tokenstarter.client;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.HttpClientSettingsProperties;
import org.springframework.boot.http.client.autoconfigure.HttpClientSettingsPropertyMapper;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.util.Assert;

/**
 * The application's HTTP clients as Spring Boot configures them: the library it chose or Boot detects
 * ({@code spring.http.clients.imperative.factory}, {@code spring.http.clients.reactive.connector}) and its
 * settings ({@code spring.http.clients.*}: timeouts, redirects, SSL bundle). API clients that need a provider's
 * SSL bundle get their connector or request factory from here, with the bundle added to those settings, as
 * Spring Boot's {@code WebClientSsl} and {@code RestClientSsl} do, rather than a client of the starter's own.
 */
public final class ApplicationHttpClients {

	private final ObjectProvider<ClientHttpRequestFactoryBuilder<?>> requestFactoryBuilder;

	private final ObjectProvider<ClientHttpConnectorBuilder<?>> connectorBuilder;

	private final ObjectProvider<HttpClientSettings> settings;

	private final ObjectProvider<SslBundles> sslBundles;

	private final @Nullable ClassLoader classLoader;

	/**
	 * Creates the application's HTTP clients from Spring Boot's beans, detecting the library like Boot when there
	 * is no builder bean (a reactive application has no request factory builder).
	 * @param requestFactoryBuilder the application's {@code RestClient} request factory builder
	 * @param connectorBuilder the application's {@code WebClient} connector builder
	 * @param settings the application's HTTP client settings
	 * @param sslBundles the application's SSL bundles
	 * @param classLoader the class loader to detect HTTP client libraries with
	 */
	public ApplicationHttpClients(ObjectProvider<ClientHttpRequestFactoryBuilder<?>> requestFactoryBuilder,
			ObjectProvider<ClientHttpConnectorBuilder<?>> connectorBuilder, ObjectProvider<HttpClientSettings> settings,
			ObjectProvider<SslBundles> sslBundles, @Nullable ClassLoader classLoader) {
		Assert.notNull(requestFactoryBuilder, "requestFactoryBuilder cannot be null");
		Assert.notNull(connectorBuilder, "connectorBuilder cannot be null");
		Assert.notNull(settings, "settings cannot be null");
		Assert.notNull(sslBundles, "sslBundles cannot be null");
		this.requestFactoryBuilder = requestFactoryBuilder;
		this.connectorBuilder = connectorBuilder;
		this.settings = settings;
		this.sslBundles = sslBundles;
		this.classLoader = classLoader;
	}

	/**
	 * Returns the application's settings ({@code spring.http.clients.*}) with the given SSL bundle.
	 * @param sslBundle the SSL bundle
	 * @return the settings
	 */
	HttpClientSettings withSslBundle(SslBundle sslBundle) {
		return this.settings.getIfAvailable(HttpClientSettings::defaults).withSslBundle(sslBundle);
	}

	/**
	 * Returns the settings of an HTTP service group as Spring Boot reads them: the group's own
	 * ({@code spring.http.serviceclient.<group>.*}), then the application's.
	 * @param groupProperties the group's properties, or null when it has none
	 * @return the settings
	 */
	HttpClientSettings groupSettings(@Nullable HttpClientSettingsProperties groupProperties) {
		return new HttpClientSettingsPropertyMapper(this.sslBundles.getIfAvailable(), this.settings.getIfAvailable())
			.map(groupProperties);
	}

	/**
	 * Returns a request factory of the application's library for {@code RestClient}s.
	 * @param settings the settings to build it with
	 * @return the request factory
	 */
	ClientHttpRequestFactory requestFactory(HttpClientSettings settings) {
		return this.requestFactoryBuilder.getIfAvailable(() -> ClientHttpRequestFactoryBuilder.detect(this.classLoader))
			.build(settings);
	}

	/**
	 * Returns a connector of the application's library for {@code WebClient}s.
	 * @param settings the settings to build it with
	 * @return the connector
	 */
	ClientHttpConnector connector(HttpClientSettings settings) {
		return this.connectorBuilder.getIfAvailable(() -> ClientHttpConnectorBuilder.detect(this.classLoader))
			.build(settings);
	}

}
