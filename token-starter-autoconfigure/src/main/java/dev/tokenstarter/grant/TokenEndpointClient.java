package dev.tokenstarter.grant;

import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpInputMessage;
import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyExtractor;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Posts token requests Spring Security has no client for (the password grant, JSON dialects) to a token
 * endpoint and reads the answer with a strict extractor, through the provider's own {@code WebClient} (timeouts, and the
 * client certificate when it has one).
 */
class TokenEndpointClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WebClient webClient;

	private final BodyExtractor<Mono<OAuth2AccessTokenResponse>, ReactiveHttpInputMessage> extractor;

	private final ClientAuthenticationSupport authentication;

	TokenEndpointClient(WebClient webClient,
			BodyExtractor<Mono<OAuth2AccessTokenResponse>, ReactiveHttpInputMessage> extractor,
			ClientAuthenticationSupport authentication) {
		this.webClient = webClient;
		this.extractor = extractor;
		this.authentication = authentication;
	}

	/**
	 * Adds the client authentication of a grant request to its headers or parameters.
	 */
	void authenticate(AbstractOAuth2AuthorizationGrantRequest request, HttpHeaders headers,
			MultiValueMap<String, String> parameters) {
		this.authentication.apply(request, headers, parameters);
	}

	/**
	 * Posts a form and reads the token response.
	 * @param uri the token endpoint
	 * @param headers the request headers (client authentication included)
	 * @param form the form parameters
	 * @return the token response; fails with {@link TokenEndpointException} on an error answer
	 */
	Mono<OAuth2AccessTokenResponse> postForm(String uri, HttpHeaders headers, MultiValueMap<String, String> form) {
		return this.webClient.post()
			.uri(uri)
			.headers((h) -> h.addAll(headers))
			.accept(MediaType.APPLICATION_JSON)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(BodyInserters.fromFormData(form))
			.exchangeToMono((response) -> response.body(this.extractor));
	}

	/**
	 * Posts a JSON object and reads the token response.
	 * @param uri the token endpoint
	 * @param headers the request headers
	 * @param body the JSON object's members
	 * @return the token response; fails with {@link TokenEndpointException} on an error answer
	 */
	Mono<OAuth2AccessTokenResponse> postJson(String uri, HttpHeaders headers, Map<String, ?> body) {
		return this.webClient.post()
			.uri(uri)
			.headers((h) -> h.addAll(headers))
			.accept(MediaType.APPLICATION_JSON)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json(body))
			.exchangeToMono((response) -> response.body(this.extractor));
	}

	/**
	 * Returns the {@code WebClient} requests go through, for endpoints next to the token endpoint (revocation).
	 */
	WebClient webClient() {
		return this.webClient;
	}

	/**
	 * Writes a JSON request body, to be sent as bytes: Spring's JSON encoder logs the values it writes (client
	 * secrets, passwords, refresh and access tokens) at DEBUG and TRACE, while bytes are logged by their count only.
	 * @param body the JSON object's members
	 * @return the body
	 */
	static byte[] json(Map<String, ?> body) {
		return JSON.writeValueAsBytes(body);
	}

}
