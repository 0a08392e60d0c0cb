package dev.tokenstarter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * Turns each {@code token.providers} entry into a Spring Security {@link ClientRegistration} whose id is the
 * provider's name: at once when its token endpoint is configured, on first use when it is discovered from its
 * {@code issuer-uri}.
 */
public final class ProviderClientRegistrations {

	private static final String MTLS_ENDPOINT_ALIASES = "mtls_endpoint_aliases";

	private static final String REVOCATION_ENDPOINT = "revocation_endpoint";

	private ProviderClientRegistrations() {
	}

	/**
	 * Builds the registrations of every configured provider whose token endpoint is known, in configuration
	 * order.
	 * @param properties validated token properties
	 * @return the registrations
	 */
	public static List<ClientRegistration> of(TokenProperties properties) {
		List<ClientRegistration> registrations = new ArrayList<>();
		properties.getProviders().forEach((name, provider) -> {
			String tokenUri = ProviderEndpoints.of(provider).tokenUri();
			if (tokenUri != null) {
				registrations.add(configure(ClientRegistration.withRegistrationId(name).tokenUri(tokenUri), name,
						provider, properties.getDefaults())
					.build());
			}
		});
		return registrations;
	}

	/**
	 * Returns, for every provider known by its {@code issuer-uri} only, its registration as its metadata describes
	 * it (OpenID Connect, then RFC 8414 metadata), read over the provider's own connection. Discovery runs on first
	 * use, not at start-up, so an application starts while its authorization server is unreachable; a success is
	 * kept, a failure is tried again on the next use.
	 * @param properties validated token properties
	 * @param reader how a provider's metadata is read
	 * @return the registrations to discover, by provider name
	 */
	public static Map<String, Mono<ClientRegistration>> discovered(TokenProperties properties,
			IssuerMetadataReader reader) {
		Map<String, Mono<ClientRegistration>> discovered = new LinkedHashMap<>();
		properties.getProviders().forEach((name, provider) -> {
			String issuer = provider.getIssuerUri();
			if (ProviderEndpoints.of(provider).tokenUri() == null && issuer != null) {
				discovered.put(name, Mono.defer(() -> IssuerDiscovery.discover(name, issuer, reader))
					.map((builder) -> mutualTlsEndpoint(configure(builder, name, provider, properties.getDefaults())
						.build()))
					.onErrorMap((ex) -> new ClientAuthorizationException(new OAuth2Error("discovery_failed",
							"could not read the metadata of issuer-uri " + issuer + ": " + ex.getMessage(), null),
							name, ex))
					.cache((registration) -> Duration.ofMillis(Long.MAX_VALUE), (ex) -> Duration.ZERO,
							() -> Duration.ZERO));
			}
		});
		return discovered;
	}

	/**
	 * A server that takes mutual TLS at other URLs than its plain endpoints advertises them as
	 * {@code mtls_endpoint_aliases} (RFC 8705 section 5): a client authenticated by its certificate posts there,
	 * its token requests and its revocations alike.
	 */
	private static ClientRegistration mutualTlsEndpoint(ClientRegistration registration) {
		ClientAuthenticationMethod method = registration.getClientAuthenticationMethod();
		if (!ClientAuthenticationMethod.TLS_CLIENT_AUTH.equals(method)
				&& !ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH.equals(method)) {
			return registration;
		}
		Object aliases = registration.getProviderDetails().getConfigurationMetadata().get(MTLS_ENDPOINT_ALIASES);
		if (!(aliases instanceof Map<?, ?> map)) {
			return registration;
		}
		ClientRegistration.Builder builder = ClientRegistration.withClientRegistration(registration);
		if (map.get("token_endpoint") instanceof String tokenEndpoint) {
			builder.tokenUri(tokenEndpoint);
		}
		if (map.get(REVOCATION_ENDPOINT) instanceof String revocationEndpoint) {
			Map<String, Object> metadata = new LinkedHashMap<>(
					registration.getProviderDetails().getConfigurationMetadata());
			metadata.put(REVOCATION_ENDPOINT, revocationEndpoint);
			builder.providerConfigurationMetadata(metadata);
		}
		return builder.build();
	}

	private static ClientRegistration.Builder configure(ClientRegistration.Builder builder, String name,
			TokenProperties.Provider provider, TokenProperties.Defaults defaults) {
		return builder.clientId(provider.getClientId())
			.clientSecret(provider.getClientSecret())
			.clientAuthenticationMethod(
					TokenSettings.clientAuthentication(provider, defaults).toClientAuthenticationMethod())
			.authorizationGrantType(provider.grantTypeOrDefault().toAuthorizationGrantType())
			.scope(TokenSettings.scopes(provider, defaults))
			.clientName(name);
	}

}
