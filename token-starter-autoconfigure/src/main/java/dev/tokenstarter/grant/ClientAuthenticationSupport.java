package dev.tokenstarter.grant;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.util.Assert;
import org.springframework.util.MultiValueMap;

/**
 * Adds a registration's client authentication to a request of our own token clients, the way Spring Security's
 * clients do: HTTP Basic with form-encoded id and secret (RFC 6749 section 2.3.1); the id (and secret) as
 * parameters; or the id and a client assertion freshly signed by {@link ClientAssertions}.
 */
final class ClientAuthenticationSupport {

	private final ClientAssertions assertions;

	ClientAuthenticationSupport(ClientAssertions assertions) {
		Assert.notNull(assertions, "assertions must not be null");
		this.assertions = assertions;
	}

	/**
	 * Authenticates a token request.
	 * @param request the grant request
	 * @param headers the request's headers
	 * @param parameters the request's parameters
	 */
	void apply(AbstractOAuth2AuthorizationGrantRequest request, HttpHeaders headers,
			MultiValueMap<String, String> parameters) {
		ClientRegistration registration = request.getClientRegistration();
		ClientAuthenticationMethod method = registration.getClientAuthenticationMethod();
		if (ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)) {
			headers.setBasicAuth(encode(registration.getClientId()), encode(registration.getClientSecret()));
			return;
		}
		parameters.set(OAuth2ParameterNames.CLIENT_ID, registration.getClientId());
		if (ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)) {
			parameters.set(OAuth2ParameterNames.CLIENT_SECRET, registration.getClientSecret());
		}
		MultiValueMap<String, String> assertion = this.assertions.parameters(request);
		if (assertion != null) {
			parameters.setAll(assertion.toSingleValueMap());
		}
	}

	/**
	 * Authenticates a request that is no grant (a revocation) as the registration's token requests are.
	 * @param registration the client registration
	 * @param headers the request's headers
	 * @param parameters the request's parameters
	 */
	void apply(ClientRegistration registration, HttpHeaders headers, MultiValueMap<String, String> parameters) {
		apply(new AuthenticatedRequest(registration), headers, parameters);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	/**
	 * Spring Security's converter signs assertions for grant requests only, of which it reads the registration:
	 * this one carries the registration of a request that is not a grant.
	 */
	private static final class AuthenticatedRequest extends AbstractOAuth2AuthorizationGrantRequest {

		AuthenticatedRequest(ClientRegistration registration) {
			super(registration.getAuthorizationGrantType(), registration);
		}

	}

}
