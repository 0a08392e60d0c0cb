package dev.tokenstarter.grant;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.IssuerMetadataReader;
import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenSettings;

/**
 * Reads a provider's authorization server metadata through the connector its token requests use, which the
 * provider's SSL bundle and retry timeouts configure, so that an issuer behind a CA only the bundle trusts is
 * discovered, and one that does not answer fails within the provider's {@code retry.timeout}.
 */
public final class ProviderIssuerMetadata implements IssuerMetadataReader {

	/** Metadata documents are a few kilobytes (Keycloak's about 6); this is room, not a target. */
	private static final int MAX_METADATA_BYTES = 256 * 1024;

	private final TokenSettings settings;

	private final ProviderConnectors connectors;

	private final Map<String, WebClient> clients = new ConcurrentHashMap<>();

	public ProviderIssuerMetadata(TokenSettings settings, ProviderConnectors connectors) {
		Assert.notNull(settings, "settings cannot be null");
		Assert.notNull(connectors, "connectors cannot be null");
		this.settings = settings;
		this.connectors = connectors;
	}

	@Override
	public Mono<Map<String, Object>> read(String registrationId, URI location) {
		ProviderSettings provider = this.settings.provider(registrationId);
		WebClient client = this.clients.computeIfAbsent(registrationId, (id) -> WebClient.builder()
			.clientConnector(this.connectors.connector(id))
			.build());
		return client.get()
			.uri(location)
			.accept(MediaType.APPLICATION_JSON)
			.exchangeToMono((response) -> {
				int status = response.statusCode().value();
				if (status >= 400 && status <= 499) {
					return response.releaseBody().then(Mono.empty());
				}
				if (status < 200 || status > 299) {
					return response.releaseBody()
						.then(Mono.error(new IllegalStateException(location + " answered HTTP " + status)));
				}
				return BodyBytes.first(response, MAX_METADATA_BYTES + 1).flatMap((body) -> metadata(location, body));
			})
			.timeout(provider.retry().timeout());
	}

	private static Mono<Map<String, Object>> metadata(URI location, byte[] body) {
		Map<String, Object> json = (body.length <= MAX_METADATA_BYTES) ? TokenResponseParser.readJsonObject(body)
				: null;
		return (json != null) ? Mono.just(json)
				: Mono.error(new IllegalStateException(location + " answered no JSON object of at most "
						+ MAX_METADATA_BYTES + " bytes"));
	}

}
