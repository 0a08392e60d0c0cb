package dev.tokenstarter.grant;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Sorts token request failures into transient (worth retrying) and permanent ones.
 */
public final class TokenErrors {

	/** Error code of a TLS handshake that failed (certificate refused either way). */
	public static final String TLS_HANDSHAKE_FAILED = "tls_handshake_failed";

	/** The error code of a login's token that cannot be renewed without the user: no refresh token is left. */
	public static final String LOGIN_REQUIRED = "login_required";

	/**
	 * The error code of a user's password-grant token that this instance cannot obtain again: it holds neither the
	 * token nor the user's credentials.
	 */
	public static final String SIGN_IN_REQUIRED = "sign_in_required";

	/**
	 * The error code of a token request refused because this instance cannot coordinate with the fleet (the token
	 * store does not answer) and obtaining the token alone would harm the fleet.
	 */
	public static final String COORDINATION_LOST = "coordination_lost";

	/**
	 * The error code of a call refused before it is sent: its token is DPoP-bound to a key this instance does not
	 * have, and sent without a proof of that key it would be refused, or go out as a bearer token.
	 */
	public static final String DPOP_KEY_UNAVAILABLE = "dpop_key_unavailable";

	/**
	 * The error code of a renewal from a refresh token whose token was revoked (a sign-out, an operator's
	 * revocation) while its token request was under way: the token it obtained continues the session that ended,
	 * and is not kept. Transient: a call after the failure cooldown obtains a token anew, where the key allows that
	 * without the user.
	 */
	public static final String REVOKED_DURING_RENEWAL = "revoked_during_renewal";

	private static final String NETTY_DECODER_EXCEPTION = "io.netty.handler.codec.DecoderException";

	private static final String NETTY_TIMEOUT_EXCEPTION = "io.netty.handler.timeout.TimeoutException";

	/**
	 * Netty's TLS failures of a handshake that did not finish, rather than one that was refused: the connection
	 * closed during it (the only use of the stackless type), it timed out, or the engine was closed meanwhile.
	 */
	private static final List<String> NETTY_INTERRUPTED_HANDSHAKES = List.of(
			"io.netty.handler.ssl.StacklessSSLHandshakeException", "io.netty.handler.ssl.SslHandshakeTimeoutException",
			"io.netty.handler.ssl.SslClosedEngineException");

	private TokenErrors() {
	}

	/**
	 * Whether the failure may go away by itself: connection errors, timeouts, 5xx, 408, 429 and the OAuth2
	 * {@code temporarily_unavailable} code. Everything else ({@code invalid_client}, other 4xx, malformed
	 * answers, TLS handshake failures) is permanent.
	 */
	public static boolean isTransient(Throwable failure) {
		if (refusedTls(failure) != null) {
			// A refused certificate does not fix itself; retrying only hides the cause.
			return false;
		}
		for (Throwable t = failure; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (t instanceof TokenEndpointException endpoint) {
				// 408: the server gave up waiting for the request, which may be sent again (RFC 9110 15.5.9).
				return endpoint.getStatus() >= 500 || endpoint.getStatus() == 429 || endpoint.getStatus() == 408
						|| OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE.equals(endpoint.getError().getErrorCode());
			}
			if (t instanceof WebClientRequestException || t instanceof TimeoutException
					|| t instanceof IOException || isUndecodableHttp(t)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns the OAuth2 error code of the failure, or a short code for failures that are not OAuth2 errors.
	 */
	public static String errorCode(Throwable failure) {
		OAuth2AuthorizationException oauth2 = find(failure, OAuth2AuthorizationException.class);
		if (oauth2 != null) {
			return oauth2.getError().getErrorCode();
		}
		if (timedOut(failure)) {
			return "timeout";
		}
		if (refusedTls(failure) != null) {
			return TLS_HANDSHAKE_FAILED;
		}
		if (find(failure, WebClientRequestException.class) != null || find(failure, IOException.class) != null
				|| undecodableHttp(failure) != null) {
			return "connection_error";
		}
		return "unexpected_error";
	}

	/**
	 * Whether a layer gave up waiting for the provider: the engine's request timeout, or the HTTP client's own read
	 * timeout, which is set to the same duration, so that either may fire first on a busy machine.
	 */
	private static boolean timedOut(Throwable failure) {
		for (Throwable t = failure; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (t instanceof TimeoutException || t instanceof SocketTimeoutException
					|| t instanceof HttpTimeoutException || isA(t, NETTY_TIMEOUT_EXCEPTION)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns the failure of Netty's HTTP decoder in the chain, if any. Reactor Netty hands its cause on as it is
	 * (a malformed chunk size arrives as a bare {@code NumberFormatException}), so the decoder is recognised by
	 * the exception's type or by where it was thrown.
	 */
	private static @Nullable Throwable undecodableHttp(Throwable failure) {
		for (Throwable t = failure; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (isUndecodableHttp(t)) {
				return t;
			}
		}
		return null;
	}

	private static boolean isUndecodableHttp(Throwable t) {
		if (isA(t, NETTY_DECODER_EXCEPTION)) {
			return true;
		}
		StackTraceElement[] trace = t.getStackTrace();
		return trace.length > 0 && trace[0].getClassName().startsWith("io.netty.handler.codec.");
	}

	/**
	 * Returns the TLS failure in the chain that speaks of the certificates or the protocol, or null. A handshake
	 * Netty cut short (the server or a load balancer closed the connection, as when it restarts, or the handshake
	 * timed out) says nothing of them, and is a connection failure that may go away by itself.
	 */
	private static @Nullable SSLException refusedTls(Throwable failure) {
		SSLException tls = find(failure, SSLException.class);
		if (tls == null) {
			return null;
		}
		for (String interrupted : NETTY_INTERRUPTED_HANDSHAKES) {
			if (isA(tls, interrupted)) {
				return null;
			}
		}
		return tls;
	}

	/**
	 * Whether {@code t} is of the named type. By name: Netty is only there with Reactor Netty, and the token
	 * endpoint may use another client.
	 */
	private static boolean isA(Throwable t, String typeName) {
		for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
			if (typeName.equals(type.getName())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns the provider's description of the failure, or null.
	 */
	public static @Nullable String description(Throwable failure) {
		OAuth2AuthorizationException oauth2 = find(failure, OAuth2AuthorizationException.class);
		if (oauth2 != null) {
			return oauth2.getError().getDescription();
		}
		SSLException tls = refusedTls(failure);
		if (tls != null) {
			return "TLS handshake failed (" + tls.getMessage() + "): check the provider's ssl-bundle, its client "
					+ "certificate and the CA that signed the server's certificate";
		}
		Throwable undecodable = undecodableHttp(failure);
		if (undecodable != null) {
			return "the provider's HTTP answer could not be decoded (" + undecodable.getClass().getSimpleName() + ")";
		}
		return failure.getClass().getSimpleName();
	}

	private static final Set<String> KNOWN_CODES = Set.of("invalid_request", "invalid_client",
			"invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
			"temporarily_unavailable", "server_error", "too_many_requests", TokenEndpointException.INVALID_TOKEN_RESPONSE,
			"timeout", "connection_error", COORDINATION_LOST, LOGIN_REQUIRED, REVOKED_DURING_RENEWAL);

	/**
	 * Returns a low-cardinality label of the failure for metrics: a standard OAuth2 code, {@code timeout},
	 * {@code connection_error}, or the HTTP status class ({@code 4xx}, {@code 5xx}) for codes a provider made up.
	 */
	public static String metricTag(Throwable failure) {
		String code = errorCode(failure);
		if (KNOWN_CODES.contains(code)) {
			return code;
		}
		TokenEndpointException endpoint = find(failure, TokenEndpointException.class);
		return (endpoint != null) ? (endpoint.getStatus() / 100) + "xx" : "other";
	}

	/**
	 * Whether only the user can bring a login's token back: the provider refused its refresh token
	 * ({@code invalid_grant}: expired, revoked or reused), or there is none.
	 */
	public static boolean requiresLogin(Throwable failure) {
		return isInvalidGrant(failure) || LOGIN_REQUIRED.equals(errorCode(failure));
	}

	/**
	 * Whether the provider refused a refresh token or password ({@code invalid_grant}).
	 */
	public static boolean isInvalidGrant(Throwable failure) {
		OAuth2AuthorizationException oauth2 = find(failure, OAuth2AuthorizationException.class);
		return oauth2 != null && OAuth2ErrorCodes.INVALID_GRANT.equals(oauth2.getError().getErrorCode());
	}

	/**
	 * Whether a refresh that failed so leaves the primary grant worth trying: the token endpoint refused the
	 * refresh itself, whatever it called that ({@code invalid_grant}, {@code invalid_token},
	 * {@code unauthorized_client} once the refresh grant is withdrawn, a 403 or 404 at a wrong {@code refresh-uri}),
	 * or answered something that is no token (the refresh token it rotated is lost with it). Not so when the
	 * provider is unwell (a transient failure, retried already) or refuses the client, which the primary grant
	 * authenticates the same way: asking it too would double the requests of every cooldown to no end.
	 */
	static boolean leavesPrimaryGrantWorthTrying(Throwable refreshFailure) {
		OAuth2AuthorizationException oauth2 = find(refreshFailure, OAuth2AuthorizationException.class);
		TokenAcquisitionException refused = find(refreshFailure, TokenAcquisitionException.class);
		return oauth2 != null && !isTransient(refreshFailure) && (refused == null || !refused.isTransientFailure())
				&& !OAuth2ErrorCodes.INVALID_CLIENT.equals(oauth2.getError().getErrorCode());
	}

	/**
	 * Attributes a token endpoint's OAuth2 error to a registration, as Spring Security's own authorized-client
	 * providers do, so the engine and Spring's filters can tell which client failed.
	 */
	static Function<OAuth2AuthorizationException, ClientAuthorizationException> attributedTo(
			String registrationId) {
		return (ex) -> new ClientAuthorizationException(ex.getError(), registrationId, ex);
	}

	/**
	 * How long the provider asked not to be asked again, in the {@code Retry-After} of the answer that failed the
	 * request (a 429 or 503 whose wait the retries could not afford), or null when it asked for nothing.
	 */
	public static @Nullable Duration retryAfter(Throwable failure) {
		TokenEndpointException endpoint = find(failure, TokenEndpointException.class);
		return (endpoint != null) ? endpoint.getRetryAfter() : null;
	}

	static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
		for (Throwable t = failure; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

}
