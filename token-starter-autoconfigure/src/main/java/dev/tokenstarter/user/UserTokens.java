package dev.tokenstarter.user;

import org.springframework.util.Assert;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;

/**
 * The blocking face of {@link ReactiveUserTokens}, for servlet applications: signs users in and out of a
 * password-grant provider and names the key that calls the API as a user ({@link #key}, used with
 * {@link TokenKeyAttributes#tokenKey(TokenKey)} on a {@code RestClient} or {@code WebClient} request). Each call
 * blocks for as long as the reactive one takes: a sign-in at most the provider's {@code refresh.max-caller-wait},
 * a sign-out the key's lock and the revocation's {@code retry.request-timeout}.
 */
public class UserTokens {

	private final ReactiveUserTokens reactive;

	public UserTokens(ReactiveUserTokens reactive) {
		Assert.notNull(reactive, "reactive must not be null");
		this.reactive = reactive;
	}

	/**
	 * Returns the key of a user's token at a provider.
	 * @see ReactiveUserTokens#key(String, String)
	 */
	public TokenKey key(String registrationId, String username) {
		return this.reactive.key(registrationId, username);
	}

	/**
	 * Signs a user in and returns the user's key.
	 * @see ReactiveUserTokens#signIn(String, String, String)
	 */
	public TokenKey signIn(String registrationId, String username, String password) {
		TokenKey key = this.reactive.signIn(registrationId, username, password).block();
		Assert.state(key != null, "a sign-in ends with the user's key");
		return key;
	}

	/**
	 * Signs a user out.
	 * @see ReactiveUserTokens#signOut(String, String)
	 */
	public void signOut(String registrationId, String username) {
		this.reactive.signOut(registrationId, username).block();
	}

	/**
	 * Whether this instance holds a user's credentials.
	 * @see ReactiveUserTokens#holdsCredentials(String, String)
	 */
	public boolean holdsCredentials(String registrationId, String username) {
		return this.reactive.holdsCredentials(registrationId, username);
	}

}
