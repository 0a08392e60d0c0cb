package dev.tokenstarter.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;

/**
 * The {@code RestClient} counterpart of {@link TokenExchangeFilterFunction}: puts the provider's token on the
 * request, and on an unauthorized status renews the rejected token and sends the request once more. A fresh
 * token is served without blocking; only a caller whose token must be renewed waits, at most for the
 * provider's retry budget.
 */
public class TokenClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	private final TokenManager tokenManager;

	private final String registrationId;

	private final Set<Integer> unauthorizedStatuses;

	private final Duration maxWait;

	public TokenClientHttpRequestInterceptor(TokenManager tokenManager, String registrationId,
			Set<Integer> unauthorizedStatuses, Duration maxWait) {
		this.tokenManager = tokenManager;
		this.registrationId = registrationId;
		this.unauthorizedStatuses = unauthorizedStatuses;
		this.maxWait = maxWait;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		ManagedToken token = this.tokenManager.token(this.registrationId).block(this.maxWait);
		request.getHeaders().set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
		ClientHttpResponse response = execution.execute(request, body);
		if (!this.unauthorizedStatuses.contains(response.getStatusCode().value())) {
			return response;
		}
		response.close();
		boolean accepted = false;
		try {
			ManagedToken renewed = this.tokenManager.renewRejected(this.registrationId, token).block(this.maxWait);
			request.getHeaders().set(HttpHeaders.AUTHORIZATION, renewed.authorizationHeaderValue());
			ClientHttpResponse retried = execution.execute(request, body);
			accepted = !this.unauthorizedStatuses.contains(retried.getStatusCode().value());
			return retried;
		}
		finally {
			this.tokenManager.recordUnauthorizedRetry(this.registrationId, accepted);
		}
	}

}
