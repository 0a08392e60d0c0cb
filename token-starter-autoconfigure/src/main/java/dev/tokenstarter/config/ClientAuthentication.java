package dev.tokenstarter.config;

import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/**
 * How the client authenticates itself at the token endpoint.
 */
public enum ClientAuthentication {

	/**
	 * Client id and secret in an HTTP Basic {@code Authorization} header.
	 */
	CLIENT_SECRET_BASIC(ClientAuthenticationMethod.CLIENT_SECRET_BASIC),

	/**
	 * Client id and secret as {@code client_id} and {@code client_secret} form parameters.
	 */
	CLIENT_SECRET_POST(ClientAuthenticationMethod.CLIENT_SECRET_POST),

	/**
	 * Mutual TLS (RFC 8705): the client certificate of the provider's ssl-bundle authenticates the client, and
	 * only client_id is sent as a parameter, no secret.
	 */
	TLS_CLIENT_AUTH(ClientAuthenticationMethod.TLS_CLIENT_AUTH);

	private final ClientAuthenticationMethod method;

	ClientAuthentication(ClientAuthenticationMethod method) {
		this.method = method;
	}

	public ClientAuthenticationMethod toClientAuthenticationMethod() {
		return this.method;
	}

}
