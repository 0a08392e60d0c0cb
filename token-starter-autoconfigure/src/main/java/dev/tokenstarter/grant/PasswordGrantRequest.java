package dev.tokenstarter.grant;

import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

import dev.tokenstarter.config.TokenGrantType;

/**
 * A password grant request (RFC 6749 section 4.3), the grant request type Spring Security 7 no longer has.
 */
class PasswordGrantRequest extends AbstractOAuth2AuthorizationGrantRequest {

	private final PasswordCredentials credentials;

	PasswordGrantRequest(ClientRegistration registration, PasswordCredentials credentials) {
		super(TokenGrantType.PASSWORD.toAuthorizationGrantType(), registration);
		this.credentials = credentials;
	}

	PasswordCredentials getCredentials() {
		return this.credentials;
	}

	@Override
	public String toString() {
		return "PasswordGrantRequest[" + getClientRegistration().getRegistrationId() + ", " + this.credentials + "]";
	}

}
