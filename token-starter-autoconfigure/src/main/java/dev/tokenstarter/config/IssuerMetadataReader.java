package dev.tokenstarter.config;

import java.net.URI;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * Reads an authorization server's metadata document (OpenID Connect discovery, RFC 8414) for a provider known by
 * its {@code issuer-uri}, over the provider's own connection: its SSL bundle's trust material and its timeouts.
 */
@FunctionalInterface
public interface IssuerMetadataReader {

	/**
	 * Reads a metadata document.
	 * @param registrationId the provider whose metadata it is
	 * @param location where the document may be
	 * @return the document's JSON object; empty when the server has none there (a 4xx answer); fails when it
	 * cannot be read (a 5xx, a connection or TLS failure, a timeout, a body that is not a JSON object)
	 */
	Mono<Map<String, Object>> read(String registrationId, URI location);

}
