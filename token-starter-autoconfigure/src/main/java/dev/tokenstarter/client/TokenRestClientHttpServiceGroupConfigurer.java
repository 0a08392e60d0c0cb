package dev.tokenstarter.client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.security.oauth2.client.web.client.ClientRegistrationIdProcessor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;
import org.springframework.web.service.registry.HttpServiceGroup;

/**
 * Gives {@code RestClient} HTTP service groups their tokens: a group named after a provider gets the provider's
 * token interceptor (401 retry and API headers included), {@code base-url} and SSL bundle; a group whose
 * interfaces carry {@code @ClientRegistrationId} gets Spring Security's {@code ClientRegistrationIdProcessor}
 * and an interceptor that serves the registration each call names. Other groups are left alone.
 * <p>
 * Ordered after Spring Boot's configurers, that of {@code spring.http.serviceclient.<group>.*}
 * ({@code HIGHEST_PRECEDENCE + 10}) and that of the {@code RestClientCustomizer}s ({@code 0}), so that the
 * provider's SSL bundle is added to the group's settings rather than replaced by them; and before Spring
 * Security's {@code OAuth2RestClientHttpServiceGroupConfigurer} (lowest precedence) when the application declares
 * one, so that the starter's interceptor comes first and takes the calls the engine serves.
 */
public final class TokenRestClientHttpServiceGroupConfigurer implements RestClientHttpServiceGroupConfigurer {

	/** After Spring Boot's configurers, before Spring Security's and those of the application by default. */
	static final int ORDER = 10;

	private final TokenHttpServiceGroups groups;

	public TokenRestClientHttpServiceGroupConfigurer(TokenClients clients,
			ObjectProvider<HttpServiceClientProperties> groupProperties) {
		this.groups = new TokenHttpServiceGroups(clients, groupProperties);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void configureGroups(Groups<RestClient.Builder> groups) {
		groups.forEachGroup(this::configure);
	}

	private void configure(HttpServiceGroup group, RestClient.Builder client, HttpServiceProxyFactory.Builder factory) {
		String provider = this.groups.provider(group);
		boolean namesRegistrations = this.groups.namesRegistrations(group);
		if (namesRegistrations) {
			factory.httpRequestValuesProcessor(ClientRegistrationIdProcessor.DEFAULT_INSTANCE);
		}
		if (provider == null) {
			if (namesRegistrations) {
				client.requestInterceptor(this.groups.clients().selectingInterceptor());
			}
			return;
		}
		client.requestInterceptor(this.groups.clients().interceptor(provider));
		String baseUrl = this.groups.baseUrl(group, provider);
		if (baseUrl != null) {
			client.baseUrl(baseUrl);
		}
		SslBundle sslBundle = this.groups.sslBundle(group, provider);
		if (sslBundle != null) {
			ApplicationHttpClients httpClients = this.groups.clients().httpClients();
			client.requestFactory(httpClients
				.requestFactory(httpClients.groupSettings(this.groups.properties(group)).withSslBundle(sslBundle)));
		}
	}

}
