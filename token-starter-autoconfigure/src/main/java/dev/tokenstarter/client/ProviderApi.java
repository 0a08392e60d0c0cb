package dev.tokenstarter.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.Assert;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * What the token filter and interceptor need to know about one provider's API at each call: which statuses mean
 * its token was rejected, the headers every call carries, and how long a blocking caller waits for a token. Read
 * once from the provider's settings.
 */
final class ProviderApi {

	/**
	 * Beyond the engine's own bound on callers ({@code refresh.max-caller-wait}), so that the engine's clearer
	 * timeout is the one callers see.
	 */
	private static final Duration WAIT_MARGIN = Duration.ofSeconds(1);

	private final String registrationId;

	private final UnauthorizedStatuses unauthorizedStatuses;

	private final Map<String, String> headers;

	private final Duration maxWait;

	private final @Nullable DpopProofs dpopProofs;

	private final boolean actsForSubject;

	ProviderApi(String registrationId, Set<Integer> unauthorizedStatuses, Map<String, String> headers,
			Duration maxWait) {
		this(registrationId, unauthorizedStatuses, headers, maxWait, null, false);
	}

	/**
	 * Creates the API of a provider.
	 * @param dpopProofs the proofs of the provider's DPoP-bound tokens, or null when it has none
	 * @param actsForSubject whether its tokens act for the subject of another token (a token exchange)
	 */
	ProviderApi(String registrationId, Set<Integer> unauthorizedStatuses, Map<String, String> headers,
			Duration maxWait, @Nullable DpopProofs dpopProofs, boolean actsForSubject) {
		Assert.hasText(registrationId, "registrationId cannot be empty");
		Assert.notNull(unauthorizedStatuses, "unauthorizedStatuses cannot be null");
		Assert.notNull(headers, "headers cannot be null");
		Assert.notNull(maxWait, "maxWait cannot be null");
		this.registrationId = registrationId;
		this.unauthorizedStatuses = UnauthorizedStatuses.of(unauthorizedStatuses);
		this.headers = headers;
		this.maxWait = maxWait;
		this.dpopProofs = dpopProofs;
		this.actsForSubject = actsForSubject;
	}

	static ProviderApi of(ProviderSettings settings, DpopProofs dpopProofs, boolean actsForSubject) {
		return new ProviderApi(settings.registrationId(), settings.unauthorizedStatuses(), settings.apiHeaders(),
				settings.refresh().maxCallerWait().plus(WAIT_MARGIN), settings.isDpop() ? dpopProofs : null,
				actsForSubject);
	}

	String registrationId() {
		return this.registrationId;
	}

	/**
	 * Whether the provider's tokens act for the subject of another token (a token exchange): a call that names no
	 * key gets the token of the user it is made for, taken from the security context, as Spring Security's
	 * token exchange provider takes it from the request's principal.
	 */
	boolean actsForSubject() {
		return this.actsForSubject;
	}

	/**
	 * Whether a response status means the API rejected the token.
	 */
	boolean rejects(int status) {
		return this.unauthorizedStatuses.contains(status);
	}

	/**
	 * Longest a blocking caller waits for a token.
	 */
	Duration maxWait() {
		return this.maxWait;
	}

	/**
	 * Adds the provider's API headers a request does not set itself.
	 */
	void addHeaders(HttpHeaders headers) {
		if (this.headers.isEmpty()) {
			return;
		}
		this.headers.forEach((name, value) -> {
			if (!headers.containsHeader(name)) {
				headers.set(name, value);
			}
		});
	}

	/**
	 * Returns the DPoP proof of a call with a DPoP-bound token.
	 * @throws IllegalStateException when the client was not built for the provider's DPoP tokens
	 * @throws TokenAcquisitionException ({@code dpop_key_unavailable}) when this instance has no key the token is
	 * bound to: the call is not sent, since the token is refused without a proof of its key. The engine serves no
	 * such token (a store read without the key is a miss); this is the last line of defence, as for a call that
	 * took its token just before it expired and got to signing more than a minute after.
	 */
	String dpopProof(HttpMethod method, URI uri, ManagedToken token) {
		if (this.dpopProofs == null) {
			throw new IllegalStateException("The token of provider '" + this.registrationId + "' is DPoP-bound, but "
					+ "this client has no DPoP key for it: build the client with TokenClients");
		}
		String proof = this.dpopProofs.proof(this.registrationId, method.name(), uri,
				token.accessToken().getTokenValue());
		if (proof == null) {
			throw new TokenAcquisitionException(this.registrationId, TokenErrors.DPOP_KEY_UNAVAILABLE,
					"the token is DPoP-bound to a key this instance does not have, so it is not sent", false, null);
		}
		return proof;
	}

	/**
	 * Keeps the DPoP nonce an API's answer carries for the next proofs to its server.
	 */
	void followDpopNonce(URI uri, HttpHeaders headers) {
		if (this.dpopProofs != null) {
			this.dpopProofs.followNonce(uri, headers);
		}
	}

	/**
	 * Whether an API's answer asks for the call again with the nonce it gives (RFC 9449 section 9): such a call
	 * is sent once more with the same token and a new proof, and is no rejection of the token.
	 */
	boolean isDpopNonceChallenge(int status, HttpHeaders headers) {
		return this.dpopProofs != null && this.dpopProofs.isNonceChallenge(status, headers);
	}

}
