package dev.tokenstarter.store;

/**
 * A save was refused because the store holds a newer entry than the one the saver read: another instance
 * renewed the token meanwhile. The saver must use the stored entry instead of its own, so that a rotated
 * refresh token is never overwritten by an older one.
 */
public class StaleAuthorizedClientException extends RuntimeException {

	public StaleAuthorizedClientException(String registrationId) {
		super("A newer token of registration '" + registrationId + "' is already stored");
	}

}
