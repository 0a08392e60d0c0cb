package dev.tokenstarter.user;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.tokenstarter.grant.PasswordCredentials;

/**
 * The credentials of the users who signed in on this instance, by provider and username, so that the instance
 * can sign a user in again when the provider revokes the user's token. Memory only: never written to the store,
 * so another instance cannot sign the user in again. Bounded: beyond {@code maxUsers} the least recently signed
 * in users' credentials go (those users sign in again when their token is revoked).
 */
public final class SignedInUsers {

	private final Cache<User, PasswordCredentials> credentials;

	/**
	 * Creates the holder.
	 * @param maxUsers how many users' credentials are held at most
	 */
	public SignedInUsers(long maxUsers) {
		Assert.isTrue(maxUsers >= 0, "maxUsers must not be negative");
		this.credentials = Caffeine.newBuilder().maximumSize(maxUsers).executor(Runnable::run).build();
	}

	/**
	 * Holds a user's credentials, replacing those held before.
	 * @return the credentials held before, or null
	 */
	@Nullable PasswordCredentials remember(String registrationId, PasswordCredentials credentials) {
		return this.credentials.asMap().put(new User(registrationId, credentials.username()), credentials);
	}

	/**
	 * Puts back what {@link #remember} replaced, unless the user's credentials changed again since.
	 */
	void restore(String registrationId, PasswordCredentials rejected, @Nullable PasswordCredentials previous) {
		this.credentials.asMap()
			.compute(new User(registrationId, rejected.username()),
					(user, held) -> (held == null || held.equals(rejected)) ? previous : held);
	}

	/**
	 * Drops a user's credentials if they are still the ones given.
	 */
	void drop(String registrationId, PasswordCredentials refused) {
		this.credentials.asMap().remove(new User(registrationId, refused.username()), refused);
	}

	@Nullable PasswordCredentials find(String registrationId, String username) {
		return this.credentials.getIfPresent(new User(registrationId, username));
	}

	void forget(String registrationId, String username) {
		this.credentials.invalidate(new User(registrationId, username));
	}

	/**
	 * Returns how many users' credentials are held.
	 */
	public long size() {
		this.credentials.cleanUp();
		return this.credentials.estimatedSize();
	}

	@Override
	public String toString() {
		return "SignedInUsers[" + this.credentials.estimatedSize() + " user(s)]";
	}

	private record User(String registrationId, String username) {
	}

}
