package dev.tokenstarter.grant;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Nomba's "revoke": {@code POST …/v1/auth/token/revoke} with {@code {"clientId":…,"access_token":…}} (camelCase
 * client id, as documented) and the {@code accountId} header. Success is {@code {"code":"00"}}, without data.
 */
class NombaTokenRevoker implements TokenRevoker {

	private final WebClient webClient;

	private final String revokeUri;

	private final Map<String, String> headers;

	NombaTokenRevoker(WebClient webClient, String revokeUri, Map<String, String> headers) {
		this.webClient = webClient;
		this.revokeUri = revokeUri;
		this.headers = headers;
	}

	@Override
	public Mono<Void> revoke(OAuth2AuthorizedClient client) {
		return Mono.defer(() -> {
			Map<String, String> body = new LinkedHashMap<>();
			body.put("clientId", client.getClientRegistration().getClientId());
			body.put("access_token", client.getAccessToken().getTokenValue());
			return this.webClient.post()
				.uri(this.revokeUri)
				.headers((h) -> this.headers.forEach(h::set))
				.accept(MediaType.APPLICATION_JSON)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(TokenEndpointClient.json(body))
				.exchangeToMono((response) -> response.bodyToMono(byte[].class)
					.defaultIfEmpty(new byte[0])
					.flatMap((answer) -> check(response.statusCode().value(), answer)));
		});
	}

	private static Mono<Void> check(int status, byte[] answer) {
		Map<String, Object> envelope = TokenResponseParser.readJsonObject(answer);
		String code = (envelope != null) ? NombaResponseReader.code(envelope) : null;
		if (status >= 200 && status <= 299 && NombaResponseReader.SUCCESS.equals(code)) {
			return Mono.empty();
		}
		String description = (envelope != null) ? TokenResponseParser.text(envelope, "description") : null;
		return Mono.error(new TokenEndpointException(status, "revocation_failed", TokenResponseParser
			.sanitize("Nomba code " + code + ((description != null) ? ": " + description : "")), null));
	}

}
