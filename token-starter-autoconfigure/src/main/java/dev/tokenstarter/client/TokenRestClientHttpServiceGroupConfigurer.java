package dev.tokenstarter.client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.http.client.HttpClientSettings;
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
		TokenClients clients = this.groups.clients();
		this.groups.configure(group, factory, new TokenHttpServiceGroups.GroupClient() {

			@Override
			public void serveSelectedRegistrations() {
				client.requestInterceptor(clients.selectingInterceptor());
			}

			@Override
			public void serveProvider(String provider) {
				client.requestInterceptor(clients.interceptor(provider));
			}

			@Override
			public void baseUrl(String baseUrl) {
				client.baseUrl(baseUrl);
			}

			@Override
			public void httpClient(HttpClientSettings settings) {
				client.requestFactory(clients.httpClients().requestFactory(settings));
			}

		});
	}

}
