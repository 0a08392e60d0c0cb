package dev.tokenstarter.config;

/**
 * What a refused renewal of a user's login session does, once the user's authorized client is removed from the
 * store.
 */
public enum OnRefreshFailure {

	/**
	 * Send the user to the provider's authorization endpoint: a live session at the provider signs the user in
	 * again without a prompt.
	 */
	REAUTHENTICATE,

	/**
	 * End the user's session here and at the provider (OpenID Connect RP-initiated logout), so the user must log
	 * in again.
	 */
	LOGOUT

}
