package dev.tokenstarter.user;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.tokenstarter.grant.PasswordCredentials;

/**
 * The credentials of the users who signed in on this instance, by provider and username, so that the instance
 * can sign a user in again when the provider revokes the user's token. Memory only: never written to the store,
 * so another instance cannot sign the user in again. Bounded: beyond {@code maxUsers}, the credentials Caffeine's
 * size eviction judges least likely to be needed again go (it weighs how often and how recently each was used, so
 * the newest sign-in is not always the last to go); those users sign in again when their token is revoked.
 */
public final class SignedInUsers {

	private final Cache<User, Held> credentials;

	/**
	 * Creates the holder.
	 * @param maxUsers how many users' credentials are held at most
	 */
	public SignedInUsers(long maxUsers) {
		Assert.isTrue(maxUsers >= 0, "maxUsers must not be negative");
		this.credentials = Caffeine.newBuilder().maximumSize(maxUsers).executor(Runnable::run).build();
	}

	/**
	 * Holds the credentials of a sign-in under way, keeping those held before until the provider has answered:
	 * see {@link #confirm} and {@link #drop}.
	 */
	void remember(String registrationId, PasswordCredentials credentials) {
		this.credentials.asMap()
			.compute(new User(registrationId, credentials.username()),
					(user, held) -> new Held(credentials, false, (held != null) ? held.credentials() : null,
							held != null && held.proven(), held != null && held.sent(), false));
	}

	/**
	 * Ends a sign-in that succeeded. Credentials the provider was sent (and took, since the sign-in succeeded) are
	 * proven, and replace those held before. Credentials it was not sent (a valid token served the sign-in) prove
	 * nothing: proven ones held before stay, as a wrong password typed on a second device, or posted by anyone who
	 * knows the user's name, must not displace the one that works, to be offered on the next silent sign-in and
	 * counted against the user as a failed login. Unproven ones held before give way to the sign-in's, unless
	 * they were sent: a sign-in that began while another's credentials were on their way to the provider joined
	 * that sign-in's token request, whose success proves those credentials, not its own.
	 */
	void confirm(String registrationId, PasswordCredentials signedIn) {
		this.credentials.asMap()
			.computeIfPresent(new User(registrationId, signedIn.username()), (user, held) -> {
				if (!held.credentials().equals(signedIn)) {
					return (signedIn.equals(held.previous()) && held.previousSent()) ? new Held(held.credentials(),
							held.proven(), held.previous(), true, true, held.sent()) : held;
				}
				if (held.sent()) {
					return Held.alone(signedIn, true);
				}
				Held before = held.before();
				if (before != null && held.previousSent()) {
					return Held.alone(before.credentials(), true);
				}
				// Not sent by this sign-in, but perhaps proven already by the one it joined, which may confirm first.
				return (before != null && before.proven()) ? before : Held.alone(signedIn, held.proven());
			});
	}

	/**
	 * Drops a user's credentials if they are still the ones given (refused by the provider, or those of a sign-in
	 * that failed), putting back those of the sign-in before when they came from a sign-in under way. Nothing else
	 * is put back: a sign-out or another sign-in since then decided what the user's credentials are, and a sign-out
	 * must stay one. Refused credentials held as those before a sign-in under way are dropped too, so that a
	 * failing sign-in cannot put them back.
	 */
	void drop(String registrationId, PasswordCredentials refused) {
		this.credentials.asMap()
			.computeIfPresent(new User(registrationId, refused.username()), (user, held) -> {
				if (held.credentials().equals(refused)) {
					return held.before();
				}
				return refused.equals(held.previous())
						? new Held(held.credentials(), held.proven(), null, false, false, held.sent()) : held;
			});
	}

	@Nullable PasswordCredentials find(String registrationId, String username) {
		Held held = this.credentials.getIfPresent(new User(registrationId, username));
		return (held != null) ? held.credentials() : null;
	}

	/**
	 * Returns a user's credentials for a password grant, recording that they are on their way to the provider, or
	 * null when none are held.
	 */
	@Nullable PasswordCredentials send(String registrationId, String username) {
		Held held = this.credentials.asMap()
			.computeIfPresent(new User(registrationId, username), (user, found) -> found.sent() ? found
					: new Held(found.credentials(), found.proven(), found.previous(), found.previousProven(),
							found.previousSent(), true));
		return (held != null) ? held.credentials() : null;
	}

	/**
	 * Whether a sign-in's credentials, still held, were sent to the provider since the sign-in began: when not, a
	 * renewal that was already under way with other credentials decided its outcome.
	 */
	boolean wereSent(String registrationId, PasswordCredentials credentials) {
		Held held = this.credentials.getIfPresent(new User(registrationId, credentials.username()));
		return held == null || !held.credentials().equals(credentials) || held.sent();
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

	/**
	 * A user's credentials, and whether the provider took them in a sign-in (proven); while a sign-in with them is
	 * under way, those held before it, whether those were proven or on their way to the provider when it began, and
	 * whether the sign-in's were sent yet.
	 */
	private record Held(PasswordCredentials credentials, boolean proven, @Nullable PasswordCredentials previous,
			boolean previousProven, boolean previousSent, boolean sent) {

		/**
		 * Credentials held with no sign-in under way.
		 */
		static Held alone(PasswordCredentials credentials, boolean proven) {
			return new Held(credentials, proven, null, false, false, false);
		}

		@Nullable Held before() {
			return (this.previous != null) ? alone(this.previous, this.previousProven) : null;
		}

	}

}
