package dev.tokenstarter.grant;

import dev.tokenstarter.config.Secrets;

/**
 * A resource owner's username and password for the password grant. Held in memory only.
 *
 * @param username the user name
 * @param password the password
 */
public record PasswordCredentials(String username, String password) {

	@Override
	public String toString() {
		return "PasswordCredentials[username=" + this.username + ", password=" + Secrets.mask(this.password) + "]";
	}

}
