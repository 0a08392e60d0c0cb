package dev.tokenstarter.client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;
import org.springframework.web.service.registry.HttpServiceGroup;

/**
 * Gives {@code WebClient} HTTP service groups their tokens: a group named after a provider gets the provider's
 * token filter (401 retry and API headers included), {@code base-url} and SSL bundle; a group whose
 * interfaces carry {@code @ClientRegistrationId} gets Spring Security's {@code ClientRegistrationIdProcessor}
 * and a filter that serves the registration each call names. Other groups are left alone.
 * <p>
 * Ordered after Spring Boot's configurers, that of {@code spring.http.serviceclient.<group>.*}
 * ({@code HIGHEST_PRECEDENCE + 10}) and that of the {@code WebClientCustomizer}s ({@code 0}): Boot's customizer of
 * the application's connector replaces the connector of every group (spring-boot#49279), the provider's SSL bundle
 * with it. Before Spring Security's {@code OAuth2WebClientHttpServiceGroupConfigurer} (lowest precedence) when
 * the application declares one, so that the starter's filter comes first and takes the calls the engine serves.
 */
public final class TokenWebClientHttpServiceGroupConfigurer implements WebClientHttpServiceGroupConfigurer {

	/** After Spring Boot's configurers, before Spring Security's and those of the application by default. */
	static final int ORDER = TokenRestClientHttpServiceGroupConfigurer.ORDER;

	private final TokenHttpServiceGroups groups;

	public TokenWebClientHttpServiceGroupConfigurer(TokenClients clients,
			ObjectProvider<HttpServiceClientProperties> groupProperties) {
		this.groups = new TokenHttpServiceGroups(clients, groupProperties);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void configureGroups(Groups<WebClient.Builder> groups) {
		groups.forEachGroup(this::configure);
	}

	private void configure(HttpServiceGroup group, WebClient.Builder client, HttpServiceProxyFactory.Builder factory) {
		TokenClients clients = this.groups.clients();
		this.groups.configure(group, factory, new TokenHttpServiceGroups.GroupClient() {

			@Override
			public void serveSelectedRegistrations() {
				client.filter(clients.selectingFilter());
			}

			@Override
			public void serveProvider(String provider) {
				client.filter(clients.filter(provider));
			}

			@Override
			public void baseUrl(String baseUrl) {
				client.baseUrl(baseUrl);
			}

			@Override
			public void httpClient(HttpClientSettings settings) {
				client.clientConnector(clients.httpClients().connector(settings));
			}

		});
	}

}
