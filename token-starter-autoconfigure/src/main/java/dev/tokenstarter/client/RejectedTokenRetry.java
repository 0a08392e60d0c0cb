package dev.tokenstarter.client;

import java.net.URI;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.util.Assert;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenSource;

/**
 * What an API's answer to a call with a provider's token means, and the bookkeeping of the one retry a rejected
 * token earns ("rejected, renew, send once more"). The {@code WebClient} filter and the {@code RestClient}
 * interceptor both ask here, so that the two clients cannot come to disagree on which answer renews a token;
 * each keeps only what its client does its own way: blocking or not, how a call is sent again, how a body is read.
 * <p>
 * The decision, answer by answer:
 * <ul>
 * <li>A DPoP server's {@code use_dpop_nonce} challenge to a DPoP-bound token is no rejection: the call is sent
 * again with the same token and a proof carrying the nonce the challenge gave ({@link Verdict#RESEND}), once.</li>
 * <li>An answer whose status is one of the provider's unauthorized statuses rejected the token: the engine
 * replaces it ({@link #renewal}) and the call is sent once more with the replacement ({@link Verdict#RENEW}), unless
 * the engine does not renew it, and the caller then gets the rejection whole. The retry is recorded with whether
 * the API took the new token.</li>
 * <li>Any other answer is the caller's as it is ({@link Verdict#RETURN}): the check comes first and allocates
 * nothing, since it runs on every call.</li>
 * </ul>
 * Every answer to a call with a DPoP-bound token may carry the server's next nonce, which is kept for the next
 * proofs to that server ({@link #keepNonce}).
 *
 * @param <A> the type of the client's answers
 */
final class RejectedTokenRetry<A> {

	/**
	 * What to do with an API's answer.
	 */
	enum Verdict {

		/** The answer goes back to the caller as it is. */
		RETURN,

		/** The server wants its new DPoP nonce in the proof: send the call again with the same token. */
		RESEND,

		/** The API rejected the token: renew it and send the call once more. */
		RENEW

	}

	private final TokenSource tokens;

	private final Log logger;

	private final Function<A, HttpHeaders> headers;

	/**
	 * Creates the retry of a client's calls.
	 * @param tokens the engine
	 * @param logger the client's log, where the rejections it retries are told
	 * @param headers reads an answer's headers, only when the decision needs them: some clients build them on
	 * first use
	 */
	RejectedTokenRetry(TokenSource tokens, Log logger, Function<A, HttpHeaders> headers) {
		Assert.notNull(tokens, "tokens cannot be null");
		Assert.notNull(logger, "logger cannot be null");
		Assert.notNull(headers, "headers cannot be null");
		this.tokens = tokens;
		this.logger = logger;
		this.headers = headers;
	}

	/**
	 * Judges the answer to a call's first sending.
	 * @param api the provider's API
	 * @param dpopBound whether the call carried a DPoP-bound token
	 * @param status the answer's status
	 * @param answer the API's answer
	 * @return what to do with it
	 */
	Verdict judge(ProviderApi api, boolean dpopBound, int status, A answer) {
		if (dpopBound && api.isDpopNonceChallenge(status, this.headers.apply(answer))) {
			return Verdict.RESEND;
		}
		return api.rejects(status) ? Verdict.RENEW : Verdict.RETURN;
	}

	/**
	 * Judges the answer to a call sent again with the nonce its server asked for: a second challenge is the
	 * caller's (a server behind a balancer may hand out a nonce per node), and says nothing of the token, but a
	 * rejection of the token still renews it.
	 * @param api the provider's API
	 * @param status the answer's status
	 * @param answer the API's answer
	 * @return what to do with the answer: never {@link Verdict#RESEND}
	 */
	Verdict judgeResent(ProviderApi api, int status, A answer) {
		if (!api.rejects(status) || api.isDpopNonceChallenge(status, this.headers.apply(answer))) {
			return Verdict.RETURN;
		}
		return Verdict.RENEW;
	}

	/**
	 * Keeps the DPoP nonce an answer to a call with a DPoP-bound token carries, for the next proofs to its server.
	 * Comes before {@link #judge}: the call a nonce challenge sends again carries that nonce.
	 * @param api the provider's API
	 * @param uri where the call went
	 * @param answer the API's answer
	 */
	void keepNonce(ProviderApi api, URI uri, A answer) {
		api.followDpopNonce(uri, this.headers.apply(answer));
	}

	/**
	 * Asks the engine for the replacement of a token the API rejected.
	 * @param api the provider's API
	 * @param key the key the call named, or null for the provider's application token
	 * @param rejected the token the API rejected
	 * @return a different token, or empty when the rejection goes back to the caller as it is
	 */
	Mono<ManagedToken> renewal(ProviderApi api, @Nullable TokenKey key, ManagedToken rejected) {
		return RequestTokens.replaceRejected(this.tokens, api.registrationId(), key, rejected);
	}

	/**
	 * Whether a rejection's body is to be read for the log: a client that reads it only for the log skips it.
	 */
	boolean logsRejections() {
		return this.logger.isInfoEnabled();
	}

	/**
	 * Tells the log that the API rejected the token and the call is sent again, with what the API said.
	 * @param api the provider's API
	 * @param status the rejection's status
	 * @param body the start of the rejection's body, at most {@link ApiRejection#MAX_BODY_BYTES}
	 */
	void logRejection(ProviderApi api, int status, byte[] body) {
		if (this.logger.isInfoEnabled()) {
			this.logger.info("The API of provider '" + api.registrationId() + "' rejected its token: "
					+ ApiRejection.read(status, body).describe() + "; retrying once with a renewed token");
		}
	}

	/**
	 * Tells the log that a call the API asked to send again goes back to its caller with the API's answer instead:
	 * its body could not be kept to be sent a second time.
	 * @param api the provider's API
	 * @param what what the API did, as the log tells it
	 */
	void logUnsent(ProviderApi api, String what) {
		this.logger.warn("The API of provider '" + api.registrationId() + "' " + what + ", but the call is not sent "
				+ "again: its body could not be kept to be sent twice (streamed, larger than "
				+ ResendableBody.MAX_BYTES / 1024 + " KB, or answered before it was all sent)");
	}

	/**
	 * Whether the API took the renewed token: unless it rejected the new token too.
	 * @param api the provider's API
	 * @param status the status of the answer to the call sent with the new token
	 */
	boolean accepts(ProviderApi api, int status) {
		return !api.rejects(status);
	}

	/**
	 * Whether the answer to the call sent with a renewed token says nothing of that token: a DPoP nonce challenge,
	 * which goes back to the caller. Such a retry is recorded neither as taken (which would end the pause on
	 * renewals for an API that rejects every token) nor as rejected (which would start one).
	 * @param api the provider's API
	 * @param dpopBound whether the renewed token is DPoP-bound
	 * @param status the answer's status
	 * @param answer the answer
	 */
	boolean saysNothingOfTheToken(ProviderApi api, boolean dpopBound, int status, A answer) {
		return dpopBound && api.isDpopNonceChallenge(status, this.headers.apply(answer));
	}

	/**
	 * Records a retry with a renewed token from the API's answer to it: taken unless the API rejected the new token
	 * too ({@link #accepts}), and not at all when the answer says nothing of the token
	 * ({@link #saysNothingOfTheToken}).
	 * @param api the provider's API
	 * @param key the key the call named, or null for the provider's application token
	 * @param dpopBound whether the renewed token is DPoP-bound
	 * @param status the answer's status
	 * @param answer the answer
	 */
	void recordAnswer(ProviderApi api, @Nullable TokenKey key, boolean dpopBound, int status, A answer) {
		if (!saysNothingOfTheToken(api, dpopBound, status, answer)) {
			recordRetry(api, key, accepts(api, status));
		}
	}

	/**
	 * Records a retry with a renewed token.
	 * @param api the provider's API
	 * @param key the key the call named, or null for the provider's application token
	 * @param accepted whether the API took the new token: false too when sending the call failed
	 */
	void recordRetry(ProviderApi api, @Nullable TokenKey key, boolean accepted) {
		RequestTokens.recordUnauthorizedRetry(this.tokens, api.registrationId(), key, accepted);
	}

}
