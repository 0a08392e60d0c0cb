package dev.tokenstarter.hostile;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import dev.tokenstarter.engine.ManagedToken;

/**
 * What one call ended with: an API answer (clients), a token (engine), or an exception.
 *
 * @param label which call, such as "RestClient #2"
 * @param engine whether the call asked the engine for a token rather than calling the API
 * @param status the API's status, or 0 when the API did not answer
 * @param token the token the API accepted or the engine handed out, or null
 * @param lifetime the lifetime of the token the engine handed out, or null
 * @param error what the call threw, or null
 */
record Outcome(String label, boolean engine, int status, @Nullable String token, @Nullable Duration lifetime,
		@Nullable Throwable error) {

	static Outcome answered(String label, int status, String body) {
		return new Outcome(label, false, status, (status == 200) ? body : null, null, null);
	}

	static Outcome handedOut(String label, ManagedToken token) {
		return new Outcome(label, true, 0, token.accessToken().getTokenValue(),
				Duration.between(token.accessToken().getIssuedAt(), token.accessToken().getExpiresAt()), null);
	}

	static Outcome failed(String label, boolean engine, Throwable error) {
		return new Outcome(label, engine, 0, null, null, error);
	}

	@Override
	public String toString() {
		if (this.error != null) {
			return this.label + " threw " + this.error;
		}
		return this.label + ((this.engine) ? " got a token" : " got HTTP " + this.status);
	}

}
