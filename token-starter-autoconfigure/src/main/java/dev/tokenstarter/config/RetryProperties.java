package dev.tokenstarter.config;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How token requests are retried and timed out. Every field left unset inherits {@code token.defaults.retry.*},
 * then the built-in default named in its description.
 */
public class RetryProperties {

	/**
	 * Attempts for one token request, the first included. Only transient failures (connection errors,
	 * timeouts, 5xx, 429) are retried. Default 4.
	 */
	private @Nullable Integer maxAttempts;

	/**
	 * Backoff before the first retry; each further retry doubles it, with jitter. Default 200ms.
	 */
	private @Nullable Duration initialBackoff;

	/**
	 * Longest backoff between two attempts. Default 5s.
	 */
	private @Nullable Duration maxBackoff;

	/**
	 * Random share of each backoff added or removed, between 0 and 1. Default 0.5.
	 */
	private @Nullable Double jitter;

	/**
	 * Time budget for one token acquisition, retries and waits included; a Retry-After that does not fit in
	 * it ends the retries. Default 30s.
	 */
	private @Nullable Duration timeout;

	/**
	 * Time allowed for the token endpoint to answer one request. Default 10s.
	 */
	private @Nullable Duration requestTimeout;

	/**
	 * Time allowed to open a connection to the token endpoint. Default 5s.
	 */
	private @Nullable Duration connectTimeout;

	public @Nullable Integer getMaxAttempts() {
		return this.maxAttempts;
	}

	public void setMaxAttempts(@Nullable Integer maxAttempts) {
		this.maxAttempts = maxAttempts;
	}

	public @Nullable Duration getInitialBackoff() {
		return this.initialBackoff;
	}

	public void setInitialBackoff(@Nullable Duration initialBackoff) {
		this.initialBackoff = initialBackoff;
	}

	public @Nullable Duration getMaxBackoff() {
		return this.maxBackoff;
	}

	public void setMaxBackoff(@Nullable Duration maxBackoff) {
		this.maxBackoff = maxBackoff;
	}

	public @Nullable Double getJitter() {
		return this.jitter;
	}

	public void setJitter(@Nullable Double jitter) {
		this.jitter = jitter;
	}

	public @Nullable Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(@Nullable Duration timeout) {
		this.timeout = timeout;
	}

	public @Nullable Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(@Nullable Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public @Nullable Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(@Nullable Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

}
