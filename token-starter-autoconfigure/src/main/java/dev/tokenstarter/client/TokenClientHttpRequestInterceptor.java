package dev.tokenstarter.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.Assert;

import dev.tokenstarter.client.RejectedTokenRetry.Verdict;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * The {@code RestClient} counterpart of {@link TokenExchangeFilterFunction}: puts the provider's token and API
 * headers on the request, and on an unauthorized status renews the rejected token and sends the request once
 * more. A fresh token is served without blocking; only a caller whose token must be renewed waits, at most the
 * provider's {@code refresh.max-caller-wait}. An interceptor of {@link TokenClients} serves the registration a
 * request names with {@code @ClientRegistrationId} as the filter does.
 */
public final class TokenClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	private static final Log logger = LogFactory.getLog(TokenClientHttpRequestInterceptor.class);

	private final TokenManager tokenManager;

	private final RejectedTokenRetry<ClientHttpResponse> retry;

	private final ProviderRouting routing;

	/**
	 * Creates an interceptor for one provider.
	 * @param tokenManager the engine
	 * @param registrationId the provider's name
	 * @param unauthorizedStatuses the API statuses that mean the token was rejected
	 * @param maxWait longest a caller waits for a token
	 * @param apiHeaders headers every request carries unless it sets them itself
	 */
	public TokenClientHttpRequestInterceptor(TokenManager tokenManager, String registrationId,
			Set<Integer> unauthorizedStatuses, Duration maxWait, Map<String, String> apiHeaders) {
		this(tokenManager, ProviderRouting.to(new ProviderApi(registrationId, unauthorizedStatuses, apiHeaders, maxWait)));
	}

	/**
	 * Creates an interceptor for a provider, for the providers requests name, or both.
	 * @param tokenManager the engine
	 * @param routing which provider's token each request gets
	 */
	TokenClientHttpRequestInterceptor(TokenManager tokenManager, ProviderRouting routing) {
		Assert.notNull(tokenManager, "tokenManager cannot be null");
		Assert.notNull(routing, "routing cannot be null");
		this.tokenManager = tokenManager;
		this.retry = new RejectedTokenRetry<>(tokenManager, logger, ClientHttpResponse::getHeaders);
		this.routing = routing;
	}

	/**
	 * The path of every call, kept small enough for the JIT to inline into the client's execution chain (a
	 * hot method above 325 bytes of bytecode is not); the rare paths (waiting for a token, a rejection) are
	 * methods of their own.
	 */
	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		ProviderApi api = api(request);
		if (api == null) {
			return execution.execute(request, body);
		}
		api.addHeaders(request.getHeaders());
		String registrationId = api.registrationId();
		TokenKey key = TokenKeyAttributes.find(registrationId, request.getAttributes());
		if (key == null && api.actsForSubject()) {
			key = RequestTokens.subject(request, registrationId);
		}
		ManagedToken token = RequestTokens.usable(this.tokenManager, registrationId, key);
		if (token == null) {
			token = awaitToken(api, key);
		}
		ClientHttpResponse response = execute(request, body, execution, api, token);
		Verdict verdict = this.retry.judge(api, token.isDpopBound(), response.getStatusCode().value(), response);
		return (verdict != Verdict.RETURN) ? answered(request, body, execution, api, key, token, response, verdict)
				: response;
	}

	/**
	 * Returns the provider of the request, hiding the registration it names from the clients downstream: the one
	 * it names when the engine serves it, otherwise this interceptor's own unless the request names a
	 * registration the engine leaves to Spring Security.
	 */
	private @Nullable ProviderApi api(HttpRequest request) {
		ProviderApis selectable = this.routing.selectable();
		if (selectable == null) {
			return this.routing.provider();
		}
		String selected = this.routing.selection(ProviderApis.selected(request.getAttributes()), request.getAttributes());
		ProviderApi api = this.routing.toOwnProvider(selected) ? this.routing.provider() : selectable.find(selected);
		if (api != null && selected != null) {
			ProviderApis.hideSelection(request.getAttributes());
		}
		return api;
	}

	private ManagedToken awaitToken(ProviderApi api, @Nullable TokenKey key) {
		ManagedToken token = await(api, RequestTokens.await(this.tokenManager, api.registrationId(), key));
		if (token == null) {
			throw new TokenAcquisitionException(api.registrationId(), "no_token",
					"the token request ended without a token", false, null);
		}
		return token;
	}

	/**
	 * Handles an answer that is not the caller's as it is: sends the call again for a DPoP nonce, and renews a
	 * rejected token and sends the call once more with its replacement.
	 */
	private ClientHttpResponse answered(HttpRequest request, byte[] body, ClientHttpRequestExecution execution,
			ProviderApi api, @Nullable TokenKey key, ManagedToken token, ClientHttpResponse response,
			Verdict verdict) throws IOException {
		if (verdict == Verdict.RESEND) {
			response.close();
			response = execute(request, body, execution, api, token);
			verdict = this.retry.judgeResent(api, response.getStatusCode().value(), response);
		}
		if (verdict != Verdict.RENEW) {
			return response;
		}
		ManagedToken renewed;
		try {
			renewed = await(api, this.retry.renewal(api, key, token));
		}
		catch (RuntimeException ex) {
			response.close();
			throw ex;
		}
		if (renewed == null) {
			// Not renewed (the API refuses even newly issued tokens): the caller gets the rejection whole.
			return response;
		}
		logRejection(api, response);
		ClientHttpResponse retried;
		int status;
		try {
			retried = execute(request, body, execution, api, renewed);
			status = retried.getStatusCode().value();
		}
		catch (IOException | RuntimeException | Error ex) {
			this.retry.recordRetry(api, key, false);
			throw ex;
		}
		this.retry.recordAnswer(api, key, renewed.isDpopBound(), status, retried);
		return retried;
	}

	/**
	 * Sends the request with a token; a DPoP-bound token carries a new proof, and its answers may carry the
	 * server's next nonce.
	 */
	private ClientHttpResponse execute(HttpRequest request, byte[] body, ClientHttpRequestExecution execution,
			ProviderApi api, ManagedToken token) throws IOException {
		request.getHeaders().set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
		if (!token.isDpopBound()) {
			return execution.execute(request, body);
		}
		request.getHeaders().set(DpopProofs.HEADER, api.dpopProof(request.getMethod(), request.getURI(), token));
		ClientHttpResponse response = execution.execute(request, body);
		this.retry.keepNonce(api, request.getURI(), response);
		return response;
	}

	/**
	 * Waits for a token at most the provider's wait, failing as every other token failure does, with the
	 * provider's name, rather than with Reactor's {@code IllegalStateException}.
	 * @return the token, or null when there is none
	 */
	private static @Nullable ManagedToken await(ProviderApi api, Mono<ManagedToken> token) {
		return token.timeout(api.maxWait(), Mono.error(() -> new TokenAcquisitionException(api.registrationId(),
				"timeout", "timed out waiting for a token after " + api.maxWait(), true, null)))
			.block();
	}

	/**
	 * Closes the rejection, its body read first for the log when the log wants it.
	 */
	private void logRejection(ProviderApi api, ClientHttpResponse rejection) throws IOException {
		try (rejection; InputStream in = rejection.getBody()) {
			if (this.retry.logsRejections()) {
				this.retry.logRejection(api, rejection.getStatusCode().value(),
						in.readNBytes(ApiRejection.MAX_BODY_BYTES));
			}
		}
	}

}
