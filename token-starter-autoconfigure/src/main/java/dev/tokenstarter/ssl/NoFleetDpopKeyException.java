package dev.tokenstarter.ssl;

/**
 * A single-session provider's token request cannot be signed: the fleet's store does not answer and this instance
 * has never read the fleet's DPoP key. A key of its own would take the provider's only session with a token that
 * the fleet can never send, so the session would change hands again once the store answers.
 */
public class NoFleetDpopKeyException extends IllegalStateException {

	public NoFleetDpopKeyException(String message, Throwable cause) {
		super(message, cause);
	}

}
