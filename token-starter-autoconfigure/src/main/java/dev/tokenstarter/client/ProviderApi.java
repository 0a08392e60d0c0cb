package dev.tokenstarter.client;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;

import org.springframework.http.HttpHeaders;
import org.springframework.util.Assert;

import dev.tokenstarter.config.ProviderSettings;

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

	ProviderApi(String registrationId, Set<Integer> unauthorizedStatuses, Map<String, String> headers,
			Duration maxWait) {
		Assert.hasText(registrationId, "registrationId cannot be empty");
		Assert.notNull(unauthorizedStatuses, "unauthorizedStatuses cannot be null");
		Assert.notNull(headers, "headers cannot be null");
		Assert.notNull(maxWait, "maxWait cannot be null");
		this.registrationId = registrationId;
		this.unauthorizedStatuses = UnauthorizedStatuses.of(unauthorizedStatuses);
		this.headers = headers;
		this.maxWait = maxWait;
	}

	static ProviderApi of(ProviderSettings settings) {
		return new ProviderApi(settings.registrationId(), settings.unauthorizedStatuses(), settings.apiHeaders(),
				settings.refresh().maxCallerWait().plus(WAIT_MARGIN));
	}

	String registrationId() {
		return this.registrationId;
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

	void logRetry(Log logger, ApiRejection rejection) {
		if (logger.isInfoEnabled()) {
			logger.info("The API of provider '" + this.registrationId + "' rejected its token: " + rejection.describe()
					+ "; retrying once with a renewed token");
		}
	}

}
