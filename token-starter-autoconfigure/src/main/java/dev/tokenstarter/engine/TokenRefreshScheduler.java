package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Renews tokens in use at their stale point even when no call asks for them, so the first call after a quiet
 * period does not wait. Tokens idle longer than their provider's idle timeout are left alone. One daemon
 * thread, started and stopped with the application context.
 */
public class TokenRefreshScheduler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(TokenRefreshScheduler.class);

	private final TokenManager tokenManager;

	private final Duration interval;

	private @Nullable ScheduledExecutorService executor;

	public TokenRefreshScheduler(TokenManager tokenManager, Duration interval) {
		this.tokenManager = tokenManager;
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "token-refresh");
			thread.setDaemon(true);
			return thread;
		});
		long millis = this.interval.toMillis();
		this.executor.scheduleWithFixedDelay(this::renewStaleTokens, millis, millis, TimeUnit.MILLISECONDS);
	}

	private void renewStaleTokens() {
		try {
			this.tokenManager.renewStaleTokens();
		}
		catch (RuntimeException ex) {
			// A failed pass must not cancel the schedule; the next pass tries again.
			logger.warn("Background token renewal pass failed: " + ex.getMessage());
		}
	}

	@Override
	public synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

}
