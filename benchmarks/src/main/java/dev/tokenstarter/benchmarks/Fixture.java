package dev.tokenstarter.benchmarks;

import java.net.URI;
import java.time.Duration;

/**
 * What every benchmark shares: one provider, one token, one API address that is never resolved (the HTTP
 * clients' transports are stubs answering at once).
 */
final class Fixture {

	static final String REGISTRATION_ID = "bench";

	static final String TOKEN_VALUE = "bench-access-token";

	static final String AUTHORIZATION = "Bearer " + TOKEN_VALUE;

	/** Far longer than a run, so the token stays fresh and only the hot path is measured. */
	static final Duration TOKEN_LIFETIME = Duration.ofDays(1);

	static final URI API = URI.create("http://api.invalid/resource");

	private Fixture() {
	}

	/**
	 * Fails the trial when a client did not send the token, so that no figure is ever reported for a client
	 * that skips the work it is meant to measure.
	 */
	static void requireToken(String client, String sentAuthorization) {
		if (!AUTHORIZATION.equals(sentAuthorization)) {
			throw new IllegalStateException(client + " sent Authorization '" + sentAuthorization + "', expected '"
					+ AUTHORIZATION + "'");
		}
	}

}
