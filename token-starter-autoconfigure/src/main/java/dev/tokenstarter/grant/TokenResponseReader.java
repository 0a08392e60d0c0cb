package dev.tokenstarter.grant;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

/**
 * Turns a token endpoint's raw answer into a token response or a {@link TokenEndpointException}: one per
 * dialect (RFC 6749, Nomba's envelope).
 */
@FunctionalInterface
interface TokenResponseReader {

	/**
	 * Parses one answer of the token endpoint.
	 * @param status the HTTP status
	 * @param contentType the Content-Type header, or null
	 * @param body the body
	 * @param retryAfter the server's Retry-After, or null
	 * @return the token response
	 * @throws TokenEndpointException when the answer is an error or not a usable token
	 */
	OAuth2AccessTokenResponse parse(int status, @Nullable String contentType, byte[] body, @Nullable Duration retryAfter);

}
