package dev.tokenstarter.client;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.client.autoconfigure.HttpClientProperties;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientProperties;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.security.oauth2.client.annotation.ClientRegistrationId;
import org.springframework.security.oauth2.client.web.client.ClientRegistrationIdProcessor;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;
import org.springframework.web.service.registry.HttpServiceGroup;

/**
 * What the starter does to an HTTP service group ({@code @ImportHttpServices}), for both client kinds: a group
 * named after a provider the engine serves gets that provider's token, API headers, {@code base-url} and SSL
 * bundle; a group whose interfaces name registrations with {@code @ClientRegistrationId} gets the token of the
 * registration each call names; any other group is left as it is. Spring Boot's settings of the group
 * ({@code spring.http.serviceclient.<group>.*}) win over the provider's: a {@code base-url} or an
 * {@code ssl.bundle} of the group's own is kept.
 */
final class TokenHttpServiceGroups {

	private static final Log logger = LogFactory.getLog(TokenHttpServiceGroups.class);

	private final TokenClients clients;

	private final ObjectProvider<HttpServiceClientProperties> groupProperties;

	TokenHttpServiceGroups(TokenClients clients, ObjectProvider<HttpServiceClientProperties> groupProperties) {
		Assert.notNull(clients, "clients cannot be null");
		Assert.notNull(groupProperties, "groupProperties cannot be null");
		this.clients = clients;
		this.groupProperties = groupProperties;
	}

	/**
	 * Returns the provider a group is named after.
	 * @param group the group
	 * @return the provider's name, or null when the group's name is not one the engine serves
	 */
	@Nullable String provider(HttpServiceGroup group) {
		return this.clients.serves(group.name()) ? group.name() : null;
	}

	/**
	 * Returns the base URL a provider's group gets.
	 * @param group the group
	 * @param provider the provider it is named after
	 * @return the provider's {@code base-url}, or null when it has none or the group has its own
	 */
	@Nullable String baseUrl(HttpServiceGroup group, String provider) {
		HttpClientProperties properties = properties(group);
		if (properties != null && StringUtils.hasText(properties.getBaseUrl())) {
			return null;
		}
		return this.clients.baseUrl(provider);
	}

	/**
	 * Returns the SSL bundle a provider's group is to use in place of the one Spring Boot gave it.
	 * @param group the group
	 * @param provider the provider it is named after
	 * @return the provider's bundle, or null when it has none or the group has its own
	 */
	@Nullable SslBundle sslBundle(HttpServiceGroup group, String provider) {
		HttpClientProperties properties = properties(group);
		if (properties != null && StringUtils.hasText(properties.getSsl().getBundle())) {
			return null;
		}
		return this.clients.sslBundle(provider);
	}

	/**
	 * Returns the group's own HTTP client properties ({@code spring.http.serviceclient.<group>.*}).
	 * @param group the group
	 * @return its properties, or null when it has none
	 */
	@Nullable HttpClientProperties properties(HttpServiceGroup group) {
		HttpServiceClientProperties properties = this.groupProperties.getIfAvailable();
		return (properties != null) ? properties.get(group.name()) : null;
	}

	TokenClients clients() {
		return this.clients;
	}

	/**
	 * Does to one group what the starter does to groups, through its client kind's builder.
	 * @param group the group
	 * @param factory the group's proxy factory
	 * @param client the group's client builder, as its kind takes each step
	 */
	void configure(HttpServiceGroup group, HttpServiceProxyFactory.Builder factory, GroupClient client) {
		String provider = provider(group);
		Set<String> named = namedRegistrations(group);
		boolean namesRegistrations = !named.isEmpty();
		if (namesRegistrations) {
			warnOfOtherCertificates(group, provider, named);
			factory.httpRequestValuesProcessor(ClientRegistrationIdProcessor.DEFAULT_INSTANCE);
		}
		if (provider == null) {
			if (namesRegistrations) {
				client.serveSelectedRegistrations();
			}
			return;
		}
		client.serveProvider(provider);
		String baseUrl = baseUrl(group, provider);
		if (baseUrl != null) {
			client.baseUrl(baseUrl);
		}
		SslBundle sslBundle = sslBundle(group, provider);
		if (sslBundle != null) {
			ApplicationHttpClients httpClients = this.clients.httpClients();
			client.httpClient(httpClients.groupSettings(properties(group)).withSslBundle(sslBundle));
		}
	}

	/**
	 * Warns of a registration named with {@code @ClientRegistrationId} whose provider presents a client
	 * certificate the group's HTTP client does not: the call carries that provider's token through the group's
	 * connection, without the certificate its mutual TLS or certificate-bound tokens need, or with another
	 * provider's. A warning, not a failure: the certificate may be needed at the token endpoint alone, or come from
	 * a configurer of the group's own.
	 * @param group the group
	 * @param provider the provider the group is named after, or null
	 * @param registrations the registrations the group's interfaces name
	 */
	private void warnOfOtherCertificates(HttpServiceGroup group, @Nullable String provider,
			Set<String> registrations) {
		SslBundle providerBundle = (provider != null) ? sslBundle(group, provider) : null;
		SslBundle groupBundle = (providerBundle != null) ? providerBundle
				: this.clients.httpClients().groupSettings(properties(group)).sslBundle();
		for (String named : registrations) {
			SslBundle bundle = this.clients.sslBundle(named);
			// The group's own provider is served as the group's settings say.
			if (bundle != null && !named.equals(provider) && bundle != groupBundle) {
				logger.warn("HTTP service group '" + group.name() + "' names provider '" + named
						+ "' with @ClientRegistrationId, whose ssl-bundle '" + this.clients.sslBundleName(named)
						+ "' its HTTP client does not present: such calls go out without the provider's client "
						+ "certificate. Put the interface in a group named '" + named + "', or give the group that "
						+ "bundle (spring.http.serviceclient." + group.name() + ".ssl.bundle)");
			}
		}
	}

	/**
	 * Returns the registrations an interface of the group, or one of their methods, names with
	 * {@code @ClientRegistrationId}, as Spring Security's {@code ClientRegistrationIdProcessor} finds them
	 * (inherited and meta-annotations included): calls of a group that names any may name their registration.
	 * @param group the group
	 * @return the registrations named
	 */
	private static Set<String> namedRegistrations(HttpServiceGroup group) {
		Set<String> named = new TreeSet<>();
		for (Class<?> type : group.httpServiceTypes()) {
			registrationId(MergedAnnotations.from(type, SearchStrategy.TYPE_HIERARCHY), named);
			for (Method method : type.getMethods()) {
				registrationId(MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY), named);
			}
		}
		return named;
	}

	private static void registrationId(MergedAnnotations annotations, Set<String> named) {
		MergedAnnotation<ClientRegistrationId> annotation = annotations.get(ClientRegistrationId.class);
		if (annotation.isPresent()) {
			named.add(annotation.getString("registrationId"));
		}
	}

	/**
	 * The steps a group's client builder takes, in the terms of its kind ({@code RestClient} or
	 * {@code WebClient}).
	 */
	interface GroupClient {

		/** Adds the token step that serves the registration each call names. */
		void serveSelectedRegistrations();

		/** Adds the provider's token step. */
		void serveProvider(String provider);

		void baseUrl(String baseUrl);

		/** Replaces the client's HTTP client with one built from these settings. */
		void httpClient(HttpClientSettings settings);

	}

}
