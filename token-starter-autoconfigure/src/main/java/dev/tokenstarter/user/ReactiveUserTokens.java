package dev.tokenstarter.user;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.util.Assert;

import dev.tokenstarter.config.TokenGrantType;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.PasswordCredentials;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Signs users in and out of a password-grant provider (WSO2 API Manager) with their own username and password,
 * and names the key that calls the provider's API as a user ({@link #key}, used with
 * {@link TokenKeyAttributes#tokenKey(TokenKey)}).
 *
 * <p>A user has one token for the whole fleet, kept in the token store under the user's name: signing in again,
 * on any device and any instance, takes that token while it is valid instead of asking the provider for another
 * (which, at a provider that keeps one session per client and user, would end the first one). Concurrent sign-ins
 * of a user make one token request for the fleet (the key's lock, then a re-read of the store). The password stays
 * in this instance's memory ({@link SignedInUsers}): when the provider revokes the user's token or refuses its
 * refresh, this instance signs the user in again by itself; an instance without the password fails the call with
 * {@link SignInRequiredException}.
 *
 * <p>Reusing a valid token, a sign-in does not send the password to the provider, so it does not prove the
 * password: an application that uses the sign-in as the user's login must check the password itself first when
 * it matters who is signing in, not only that the user has a session. Nor does such a password replace one the
 * provider took in a sign-in on this instance; it is kept only when there is none.
 */
public class ReactiveUserTokens {

	private final TokenManager tokens;

	private final ReactiveClientRegistrationRepository registrations;

	private final SignedInUsers users;

	public ReactiveUserTokens(TokenManager tokens, ReactiveClientRegistrationRepository registrations,
			SignedInUsers users) {
		Assert.notNull(tokens, "tokens must not be null");
		Assert.notNull(registrations, "registrations must not be null");
		Assert.notNull(users, "users must not be null");
		this.tokens = tokens;
		this.registrations = registrations;
		this.users = users;
	}

	/**
	 * Returns the key of a user's token at a provider, for {@link TokenKeyAttributes#tokenKey(TokenKey)} on the
	 * requests made as that user.
	 * @param registrationId the provider's name
	 * @param username the user's name at the provider
	 * @return the key
	 */
	public TokenKey key(String registrationId, String username) {
		return TokenKey.forProvider(registrationId).principal(username).build();
	}

	/**
	 * Signs a user in: holds the credentials in this instance's memory and returns once the user has a valid
	 * token, the one in the store if there is one, otherwise a new one from the provider.
	 * @param registrationId the provider's name; its grant must be the password grant
	 * @param username the user's name at the provider
	 * @param password the user's password
	 * @return the user's key; fails with {@link TokenAcquisitionException} when the provider refuses (the
	 * credentials are then not kept), and with {@link IllegalArgumentException} when the provider is unknown or
	 * does not use the password grant
	 */
	public Mono<TokenKey> signIn(String registrationId, String username, String password) {
		Assert.hasText(password, "password must not be empty");
		TokenKey key = key(registrationId, username);
		PasswordCredentials credentials = new PasswordCredentials(username, password);
		return passwordGrant(registrationId).then(Mono.defer(() -> {
			this.users.remember(registrationId, credentials);
			return this.tokens.tokenWithNewCredentials(key)
				// A renewal already under way with the credentials held before (the user changed the password)
				// failed without these being tried: they decide, with a renewal of their own.
				.onErrorResume((ex) -> !this.users.wereSent(registrationId, credentials),
						(ex) -> this.tokens.tokenWithNewCredentials(key))
				.doOnSuccess((token) -> this.users.confirm(registrationId, credentials))
				.doOnError((ex) -> this.users.drop(registrationId, credentials))
				.thenReturn(key);
		}));
	}

	/**
	 * Signs a user out: drops the credentials held here, revokes the user's token at the provider when it has a
	 * revocation endpoint ({@code revoke-uri}), and removes it from the store and from every instance's memory.
	 * The user's other devices lose the token too (it is one token); an instance still holding the user's
	 * credentials from another device's sign-in signs the user in again when that device calls.
	 * @param registrationId the provider's name
	 * @param username the user's name at the provider
	 * @return completes once the token is forgotten
	 */
	public Mono<Void> signOut(String registrationId, String username) {
		TokenKey key = key(registrationId, username);
		return passwordGrant(registrationId).then(Mono.defer(() -> {
			this.users.forget(registrationId, username);
			return this.tokens.revoke(key);
		}));
	}

	/**
	 * Whether this instance holds a user's credentials, and can therefore sign the user in again by itself.
	 * @param registrationId the provider's name
	 * @param username the user's name at the provider
	 * @return whether the credentials are held here
	 */
	public boolean holdsCredentials(String registrationId, String username) {
		return this.users.find(registrationId, username) != null;
	}

	private Mono<ClientRegistration> passwordGrant(String registrationId) {
		return this.registrations.findByRegistrationId(registrationId)
			.switchIfEmpty(Mono.error(() -> new IllegalArgumentException(
					"No client registration named '" + registrationId + "' (token.providers." + registrationId + ")")))
			.filter((registration) -> TokenGrantType.PASSWORD.toAuthorizationGrantType()
				.equals(registration.getAuthorizationGrantType()))
			.switchIfEmpty(Mono.error(() -> new IllegalArgumentException("Provider '" + registrationId
					+ "' does not use the password grant (token.providers." + registrationId
					+ ".grant-type: password, or type: wso2): users cannot sign in to it")));
	}

}
