package dev.tokenstarter.engine;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Running counts and the last error of one provider, kept by the engine itself so health and the Actuator
 * endpoint work without a metrics library.
 */
final class ProviderActivity {

	private final AtomicLong obtained = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong unauthorizedRetries = new AtomicLong();

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant lastErrorAt;

	/**
	 * Counts a token obtained; the application token's also clears the last error.
	 */
	void obtained(boolean applicationToken) {
		this.obtained.incrementAndGet();
		if (applicationToken) {
			this.lastError = null;
			this.lastErrorAt = null;
		}
	}

	/**
	 * Counts a failed renewal; only the application token's is the provider's last error, which the health
	 * judges: a user's expired session or an audience refused says nothing of the instance.
	 */
	void failed(TokenAcquisitionException failure, Instant at, boolean applicationToken) {
		this.failures.incrementAndGet();
		if (applicationToken) {
			this.lastError = failure.getErrorCode();
			this.lastErrorAt = at;
		}
	}

	void unauthorizedRetry() {
		this.unauthorizedRetries.incrementAndGet();
	}

	long obtainedCount() {
		return this.obtained.get();
	}

	long failureCount() {
		return this.failures.get();
	}

	long unauthorizedRetryCount() {
		return this.unauthorizedRetries.get();
	}

	@Nullable String lastError() {
		return this.lastError;
	}

	@Nullable Instant lastErrorAt() {
		return this.lastErrorAt;
	}

}
