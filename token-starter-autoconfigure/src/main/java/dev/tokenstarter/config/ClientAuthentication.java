package dev.tokenstarter.config;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.util.StringUtils;

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
	TLS_CLIENT_AUTH(ClientAuthenticationMethod.TLS_CLIENT_AUTH),

	/**
	 * Mutual TLS with a self-signed certificate (RFC 8705 section 2.2): the provider knows the client by the
	 * certificate it registered, not by a CA; on the wire the same as tls_client_auth.
	 */
	SELF_SIGNED_TLS_CLIENT_AUTH(ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH),

	/**
	 * A JWT signed with the client's private key (RFC 7523 section 2.2, OpenID Connect private_key_jwt): the key
	 * comes from client-assertion, no secret is sent.
	 */
	PRIVATE_KEY_JWT(ClientAuthenticationMethod.PRIVATE_KEY_JWT),

	/**
	 * A JWT signed with HMAC SHA-256 keyed by the client secret (OpenID Connect client_secret_jwt): the secret
	 * itself is never sent.
	 */
	CLIENT_SECRET_JWT(ClientAuthenticationMethod.CLIENT_SECRET_JWT);

	/** HS256 keys are 256 bits at least (RFC 7518 section 3.2); Nimbus refuses shorter ones. */
	private static final int MIN_CLIENT_SECRET_JWT_BYTES = 32;

	/**
	 * What a client_secret_jwt secret needs, said after the property that is too short.
	 */
	public static final String CLIENT_SECRET_JWT_LENGTH = "HS256 needs a secret of at least "
			+ MIN_CLIENT_SECRET_JWT_BYTES + " bytes";

	private final ClientAuthenticationMethod method;

	ClientAuthentication(ClientAuthenticationMethod method) {
		this.method = method;
	}

	public ClientAuthenticationMethod toClientAuthenticationMethod() {
		return this.method;
	}

	/**
	 * Whether the client certificate of the provider's ssl-bundle authenticates the client.
	 */
	public boolean isMutualTls() {
		return this == TLS_CLIENT_AUTH || this == SELF_SIGNED_TLS_CLIENT_AUTH;
	}

	/**
	 * Whether the client authenticates with a signed JWT, made afresh for each request.
	 */
	public boolean isAssertion() {
		return this == PRIVATE_KEY_JWT || this == CLIENT_SECRET_JWT;
	}

	/**
	 * Whether a client authenticated this way needs a client secret.
	 */
	boolean needsSecret() {
		return !isMutualTls() && this != PRIVATE_KEY_JWT;
	}

	/**
	 * Whether a client secret is too short to sign a client_secret_jwt assertion with.
	 * @param secret the client secret; null or empty is missing, not short
	 * @return whether it is shorter than HS256 needs
	 */
	public static boolean isTooShortForClientSecretJwt(@Nullable String secret) {
		return StringUtils.hasText(secret)
				&& secret.getBytes(StandardCharsets.UTF_8).length < MIN_CLIENT_SECRET_JWT_BYTES;
	}

}
