package dev.tokenstarter.store;

/**
 * A save was refused because the store holds a newer entry than the one the saver read: another instance
 * renewed the token meanwhile, or removed it (a sign-out, a revocation). The saver must use the stored entry
 * instead of its own, so that a rotated refresh token is never overwritten by an older one, and a session that
 * was ended is not brought back.
 */
public class StaleAuthorizedClientException extends RuntimeException {

	private final boolean removed;

	public StaleAuthorizedClientException(String registrationId) {
		this(registrationId, false);
	}

	/**
	 * Creates the exception.
	 * @param registrationId the registration of the refused save
	 * @param removed whether the entry was removed since the read the save is based on
	 */
	public StaleAuthorizedClientException(String registrationId, boolean removed) {
		super(removed ? "The token of registration '" + registrationId + "' was removed since it was read"
				: "A newer token of registration '" + registrationId + "' is already stored");
		this.removed = removed;
	}

	/**
	 * Whether the entry was removed since the read the save is based on, rather than replaced by a newer token.
	 */
	public boolean isRemoved() {
		return this.removed;
	}

}
