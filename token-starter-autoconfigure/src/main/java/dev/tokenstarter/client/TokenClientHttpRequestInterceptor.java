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

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * The {@code RestClient} counterpart of {@link TokenExchangeFilterFunction}: puts the provider's token and API
 * headers on the request, and on an unauthorized status renews the rejected token and sends the request once
 * more. A fresh token is served without blocking; only a caller whose token must be renewed waits, at most the
 * provider's {@code refresh.max-caller-wait}.
 */
public class TokenClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	private static final Log logger = LogFactory.getLog(TokenClientHttpRequestInterceptor.class);

	private final TokenManager tokenManager;

	private final String registrationId;

	private final UnauthorizedStatuses unauthorizedStatuses;

	private final Duration maxWait;

	private final Map<String, String> apiHeaders;

	public TokenClientHttpRequestInterceptor(TokenManager tokenManager, String registrationId,
			Set<Integer> unauthorizedStatuses, Duration maxWait, Map<String, String> apiHeaders) {
		this.tokenManager = tokenManager;
		this.registrationId = registrationId;
		this.unauthorizedStatuses = UnauthorizedStatuses.of(unauthorizedStatuses);
		this.maxWait = maxWait;
		this.apiHeaders = apiHeaders;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		if (!this.apiHeaders.isEmpty()) {
			HttpHeaders headers = request.getHeaders();
			this.apiHeaders.forEach((name, value) -> {
				if (!headers.containsHeader(name)) {
					headers.set(name, value);
				}
			});
		}
		ManagedToken token = this.tokenManager.usableToken(this.registrationId);
		if (token == null) {
			token = await(this.tokenManager.awaitToken(this.registrationId));
			if (token == null) {
				throw new TokenAcquisitionException(this.registrationId, "no_token",
						"the token request ended without a token", false, null);
			}
		}
		request.getHeaders().set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
		ClientHttpResponse response = execution.execute(request, body);
		int status = response.getStatusCode().value();
		if (!this.unauthorizedStatuses.contains(status)) {
			return response;
		}
		ManagedToken renewed;
		try {
			renewed = await(this.tokenManager.replaceRejected(this.registrationId, token));
		}
		catch (RuntimeException ex) {
			response.close();
			throw ex;
		}
		if (renewed == null) {
			// Not renewed (the API refuses even newly issued tokens): the caller gets the rejection whole.
			return response;
		}
		logRejection(status, response);
		boolean accepted = false;
		try {
			request.getHeaders().set(HttpHeaders.AUTHORIZATION, renewed.authorizationHeaderValue());
			ClientHttpResponse retried = execution.execute(request, body);
			accepted = !this.unauthorizedStatuses.contains(retried.getStatusCode().value());
			return retried;
		}
		finally {
			this.tokenManager.recordUnauthorizedRetry(this.registrationId, accepted);
		}
	}

	/**
	 * Waits for a token at most {@code maxWait}, failing as every other token failure does, with the provider's
	 * name, rather than with Reactor's {@code IllegalStateException}.
	 * @return the token, or null when there is none
	 */
	private @Nullable ManagedToken await(Mono<ManagedToken> token) {
		return token.timeout(this.maxWait, Mono.error(() -> new TokenAcquisitionException(this.registrationId,
				"timeout", "timed out waiting for a token after " + this.maxWait, true, null)))
			.block();
	}

	private void logRejection(int status, ClientHttpResponse response) throws IOException {
		try (response; InputStream in = response.getBody()) {
			if (logger.isInfoEnabled()) {
				ApiRejection rejection = ApiRejection.read(status, in.readNBytes(ApiRejection.MAX_BODY_BYTES));
				logger.info("The API of provider '" + this.registrationId + "' rejected its token: "
						+ rejection.describe() + "; retrying once with a renewed token");
			}
		}
	}

}
