package dev.tokenstarter.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Discovers a provider from its issuer as Spring Security's {@code ClientRegistrations.fromIssuerLocation} does
 * (OpenID Connect metadata, then its RFC 8414 form, then RFC 8414 OAuth metadata, the first the server has; its
 * {@code issuer} must be the one asked for), but reads the documents through an {@link IssuerMetadataReader}:
 * Spring's reads them with a client of its own, which trusts only the JVM's trust store and waits 30 seconds.
 */
final class IssuerDiscovery {

	private static final String OIDC_METADATA = "/.well-known/openid-configuration";

	private static final String OAUTH_METADATA = "/.well-known/oauth-authorization-server";

	private IssuerDiscovery() {
	}

	/**
	 * Discovers a provider's endpoints.
	 * @param registrationId the provider's name, the registration's id
	 * @param issuer the provider's {@code issuer-uri}
	 * @param reader how its metadata is read
	 * @return the registration's builder, endpoints and metadata set
	 */
	static Mono<ClientRegistration.Builder> discover(String registrationId, String issuer,
			IssuerMetadataReader reader) {
		return Flux.fromIterable(locations(issuer))
			.concatMap((location) -> reader.read(registrationId, location))
			.next()
			.switchIfEmpty(Mono.error(() -> new IllegalArgumentException(
					"the issuer has no OpenID Connect or OAuth 2.0 authorization server metadata")))
			.map((metadata) -> builder(registrationId, issuer, metadata));
	}

	static List<URI> locations(String issuer) {
		URI uri = URI.create(issuer);
		String path = (uri.getRawPath() != null) ? uri.getRawPath().replaceAll("/+$", "") : "";
		return List.of(at(uri, path + OIDC_METADATA), at(uri, OIDC_METADATA + path), at(uri, OAUTH_METADATA + path));
	}

	private static URI at(URI issuer, String path) {
		return UriComponentsBuilder.newInstance()
			.scheme(issuer.getScheme())
			.host(issuer.getHost())
			.port(issuer.getPort())
			.path(path)
			.build(true)
			.toUri();
	}

	private static ClientRegistration.Builder builder(String registrationId, String issuer,
			Map<String, Object> metadata) {
		Object stated = metadata.get("issuer");
		if (!issuer.equals(stated)) {
			throw new IllegalArgumentException("the metadata's issuer "
					+ ((stated instanceof String text) ? "\"" + text + "\"" : "is missing and")
					+ " does not match issuer-uri \"" + issuer + "\"");
		}
		String tokenUri = text(metadata, "token_endpoint");
		if (tokenUri == null) {
			throw new IllegalArgumentException("the metadata has no token_endpoint");
		}
		return ClientRegistration.withRegistrationId(registrationId)
			.userNameAttributeName(IdTokenClaimNames.SUB)
			.authorizationUri(text(metadata, "authorization_endpoint"))
			.tokenUri(tokenUri)
			.issuerUri(issuer)
			.jwkSetUri(text(metadata, "jwks_uri"))
			.userInfoUri(text(metadata, "userinfo_endpoint"))
			.providerConfigurationMetadata(metadata);
	}

	private static @Nullable String text(Map<String, Object> metadata, String name) {
		return (metadata.get(name) instanceof String value) ? value : null;
	}

}
