package dev.tokenstarter.grant;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.util.MultiValueMap;

/**
 * Adds a registration's client authentication to a request of our own token clients, the way Spring Security's
 * clients do: HTTP Basic with form-encoded id and secret (RFC 6749 section 2.3.1), or the id (and secret) as
 * parameters.
 */
final class ClientAuthenticationSupport {

	private ClientAuthenticationSupport() {
	}

	static void apply(ClientRegistration registration, HttpHeaders headers, MultiValueMap<String, String> parameters) {
		ClientAuthenticationMethod method = registration.getClientAuthenticationMethod();
		if (ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)) {
			headers.setBasicAuth(encode(registration.getClientId()), encode(registration.getClientSecret()));
			return;
		}
		parameters.set(OAuth2ParameterNames.CLIENT_ID, registration.getClientId());
		if (ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)) {
			parameters.set(OAuth2ParameterNames.CLIENT_SECRET, registration.getClientSecret());
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
