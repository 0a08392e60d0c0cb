package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;

/**
 * Revokes, at graceful shutdown, the tokens of the providers that ask for it ({@code revoke-on-shutdown}), so a
 * session does not outlive the application at the provider. Stops in {@link #PHASE}: once the web server has
 * drained and stopped, while the HTTP clients still work.
 */
public class TokenRevocationOnShutdown implements SmartLifecycle {

	/**
	 * The phase revocation stops in. Lifecycle beans stop from the highest phase down: Spring Boot drains the
	 * web server's requests at {@code DEFAULT_PHASE - 1024} and stops the server at {@code DEFAULT_PHASE - 2048};
	 * a request still being served until then may obtain a token, which must be revoked too, so revocation comes
	 * after both. Reactor Netty's shared resources, which the token requests and revocations use, are released
	 * by {@code ReactorResourceFactory} at phase 0, so revocation comes well before that.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(TokenRevocationOnShutdown.class);

	private final TokenManager tokenManager;

	private final List<String> providers;

	private final Duration timeout;

	private volatile boolean running;

	public TokenRevocationOnShutdown(TokenManager tokenManager, List<String> providers, Duration timeout) {
		this.tokenManager = tokenManager;
		this.providers = List.copyOf(providers);
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		if (this.providers.isEmpty()) {
			return;
		}
		try {
			Flux.fromIterable(this.providers).flatMap(this.tokenManager::revoke).then().block(this.timeout);
		}
		catch (RuntimeException ex) {
			// Shutdown goes on: the tokens expire by themselves; say which could not be revoked.
			logger.warn("Could not revoke the tokens of " + this.providers + " at shutdown: " + ex.getMessage());
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
