package dev.tokenstarter.grant;

import java.util.Map;

import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Token revocation as RFC 7009 describes it: a form with {@code token} and {@code token_type_hint}, the client
 * authenticated like at the token endpoint. The refresh token goes first, so that no new access token can be
 * minted while the access token is being revoked.
 */
class Rfc7009TokenRevoker implements TokenRevoker {

	private final WebClient webClient;

	private final String revokeUri;

	private final Map<String, String> headers;

	private final ClientAuthenticationSupport authentication;

	Rfc7009TokenRevoker(WebClient webClient, String revokeUri, Map<String, String> headers,
			ClientAuthenticationSupport authentication) {
		this.webClient = webClient;
		this.revokeUri = revokeUri;
		this.headers = headers;
		this.authentication = authentication;
	}

	@Override
	public Mono<Void> revoke(OAuth2AuthorizedClient client) {
		OAuth2RefreshToken refreshToken = client.getRefreshToken();
		// The refresh token first, so that a provider revoking the access tokens issued with it finds none left to
		// mint; the access token whatever became of that, as a provider may refuse to revoke refresh tokens
		// (unsupported_token_type) and the access token would otherwise stay valid until it expires.
		Flux<Void> requests = Flux.concatDelayError(
				(refreshToken != null) ? send(client, refreshToken.getTokenValue(), "refresh_token") : Mono.empty(),
				send(client, client.getAccessToken().getTokenValue(), "access_token"));
		return requests.then().onErrorMap(Exceptions::isMultiple, (ex) -> Exceptions.unwrapMultiple(ex).get(0));
	}

	private Mono<Void> send(OAuth2AuthorizedClient client, String token, String hint) {
		// A server that asks for a DPoP nonce (RFC 9449 section 8) takes the revocation again with it, sent anew:
		// its client assertion is good for one request only.
		return attempt(client, token, hint)
			.flatMap((nonceAsked) -> nonceAsked ? attempt(client, token, hint) : Mono.just(false))
			.flatMap((nonceAsked) -> nonceAsked ? Mono.error(refused(HttpStatus.BAD_REQUEST.value(), hint))
					: Mono.<Void>empty())
			.contextWrite((context) -> context.put(DpopTokenRequests.RESENT_BY_SENDER, true));
	}

	/**
	 * Sends a revocation once.
	 * @return whether the server asked for a DPoP nonce; fails when it refused otherwise
	 */
	private Mono<Boolean> attempt(OAuth2AuthorizedClient client, String token, String hint) {
		return Mono.defer(() -> {
			HttpHeaders requestHeaders = new HttpHeaders();
			this.headers.forEach(requestHeaders::set);
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			form.set("token", token);
			form.set("token_type_hint", hint);
			this.authentication.apply(client.getClientRegistration(), requestHeaders, form);
			return this.webClient.post()
				.uri(this.revokeUri)
				.headers((h) -> h.addAll(requestHeaders))
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.body(BodyInserters.fromFormData(form))
				.exchangeToMono((response) -> answered(response, hint));
		});
	}

	private static Mono<Boolean> answered(ClientResponse response, String hint) {
		int status = response.statusCode().value();
		if (status >= 200 && status <= 299) {
			return response.releaseBody().thenReturn(false);
		}
		if (status != HttpStatus.BAD_REQUEST.value()) {
			return response.releaseBody().then(Mono.error(refused(status, hint)));
		}
		return BodyBytes.first(response, TokenResponseBodyExtractor.MAX_RESPONSE_BYTES + 1)
			.flatMap((body) -> DpopTokenRequests.isNonceError(body) ? Mono.just(true)
					: Mono.error(refused(status, hint)));
	}

	private static TokenEndpointException refused(int status, String hint) {
		return new TokenEndpointException(status, "revocation_failed", "the revocation endpoint refused the " + hint,
				null);
	}

}
