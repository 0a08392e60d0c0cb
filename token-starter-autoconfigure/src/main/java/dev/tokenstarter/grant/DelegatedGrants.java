package dev.tokenstarter.grant;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.JwtBearerReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.TokenExchangeReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.endpoint.AbstractWebClientReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.DefaultOAuth2TokenRequestParametersConverter;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveJwtBearerTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveTokenExchangeTokenResponseClient;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.MultiValueMap;

/**
 * Builds the token exchange and JWT bearer grants of an RFC 6749 token endpoint from Spring Security's providers
 * and token clients, set up like the endpoint's other clients (its {@code WebClient}, headers, answer reader).
 * Kept apart from {@link Rfc6749TokenEndpoint} so that the JOSE classes the JWT bearer grant needs are only
 * loaded by an application that uses it.
 */
final class DelegatedGrants {

	private DelegatedGrants() {
	}

	/**
	 * The token exchange grant: the subject token, and the actor token when the key has an actor, come from the
	 * authorization context, their types from their classes (a {@code Jwt} is sent as a JWT, any other token as
	 * an access token).
	 */
	static ReactiveOAuth2AuthorizedClientProvider tokenExchange(TokenEndpoint endpoint, TokenResponseReader reader) {
		WebClientReactiveTokenExchangeTokenResponseClient client = new WebClientReactiveTokenExchangeTokenResponseClient();
		configure(client, endpoint, reader);
		TokenExchangeReactiveOAuth2AuthorizedClientProvider provider = new TokenExchangeReactiveOAuth2AuthorizedClientProvider();
		provider.setAccessTokenResponseClient(client);
		provider.setSubjectTokenResolver((context) -> Mono.justOrEmpty(DelegatedGrantProvider.subjectToken(context)));
		provider.setActorTokenResolver(DelegatedGrantProvider::actorToken);
		provider.setClock(endpoint.clock());
		return new DelegatedGrantProvider(AuthorizationGrantType.TOKEN_EXCHANGE,
				provider, endpoint.clock());
	}

	/**
	 * The JWT bearer grant: the assertion is the subject token when the key has one (it must be a JWT), and
	 * otherwise what the application's {@link JwtBearerAssertions} supplies.
	 */
	static ReactiveOAuth2AuthorizedClientProvider jwtBearer(TokenEndpoint endpoint, TokenResponseReader reader,
			Supplier<@Nullable JwtBearerAssertions> assertions) {
		WebClientReactiveJwtBearerTokenResponseClient client = new WebClientReactiveJwtBearerTokenResponseClient();
		configure(client, endpoint, reader);
		JwtBearerReactiveOAuth2AuthorizedClientProvider provider = new JwtBearerReactiveOAuth2AuthorizedClientProvider();
		provider.setAccessTokenResponseClient(client);
		provider.setJwtAssertionResolver((context) -> {
			String registrationId = context.getClientRegistration().getRegistrationId();
			OAuth2Token subject = DelegatedGrantProvider.subjectToken(context);
			if (subject != null) {
				return (subject instanceof Jwt jwt) ? Mono.just(jwt)
						: Mono.error(invalidRequest(registrationId, "the JWT bearer grant needs a JWT as its "
								+ "assertion; the subject token of this key is not one"));
			}
			JwtBearerAssertions supplier = assertions.get();
			return (supplier != null) ? supplier.assertion(context.getClientRegistration())
					: Mono.error(invalidRequest(registrationId, "no assertion for the JWT bearer grant: ask with a "
							+ "key that has a subject token, or declare a JwtBearerAssertions bean"));
		});
		provider.setClock(endpoint.clock());
		return new DelegatedGrantProvider(AuthorizationGrantType.JWT_BEARER, provider, endpoint.clock());
	}

	private static ClientAuthorizationException invalidRequest(String registrationId, String description) {
		return new ClientAuthorizationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, description, null),
				registrationId);
	}

	/**
	 * The provider's parameters replace Spring Security's of the same name rather than adding a second value:
	 * {@code requested_token_type} in particular, which Spring Security always sets to the access token type. A
	 * registration that authenticates with a client assertion gets a fresh one per request, as on every grant.
	 */
	private static <T extends AbstractOAuth2AuthorizationGrantRequest> void configure(
			AbstractWebClientReactiveOAuth2AccessTokenResponseClient<T> client, TokenEndpoint endpoint,
			TokenResponseReader reader) {
		client.setWebClient(endpoint.webClient());
		client.setBodyExtractor(endpoint.extractor(reader));
		client.addHeadersConverter((request) -> {
			HttpHeaders headers = new HttpHeaders();
			endpoint.provider().headers().forEach(headers::set);
			return headers;
		});
		DefaultOAuth2TokenRequestParametersConverter<T> defaults = new DefaultOAuth2TokenRequestParametersConverter<>();
		client.setParametersConverter((request) -> {
			MultiValueMap<String, String> parameters = defaults.convert(request);
			endpoint.provider().parameters().forEach(parameters::set);
			MultiValueMap<String, String> assertion = endpoint.assertions().parameters(request);
			if (assertion != null) {
				parameters.addAll(assertion);
			}
			return parameters;
		});
	}

}
