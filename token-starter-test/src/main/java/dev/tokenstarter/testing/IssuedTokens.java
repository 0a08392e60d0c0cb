package dev.tokenstarter.testing;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The access and refresh tokens a stub has issued, and which of them still hold: what a real provider's token
 * store knows. Not thread-safe: the stub guards it.
 */
final class IssuedTokens {

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	private final Map<String, Grant> accessTokens = new HashMap<>();

	private final Map<String, Grant> refreshTokens = new HashMap<>();

	IssuedTokens(Clock clock) {
		Assert.notNull(clock, "clock cannot be null");
		this.clock = clock;
	}

	/**
	 * Issues an access token, and a refresh token when asked for one.
	 * @param client the client it is issued to
	 * @param username the user it acts for, or null
	 * @param lifetime how long the access token is valid
	 * @param withRefreshToken whether a refresh token comes with it
	 * @param singleSession whether it ends the client's (and user's) earlier tokens
	 */
	Issued issue(StubbedClient client, @Nullable String username, Duration lifetime, boolean withRefreshToken,
			boolean singleSession) {
		if (singleSession) {
			this.accessTokens.values().forEach((grant) -> grant.revokeIfOf(client, username));
			this.refreshTokens.values().forEach((grant) -> grant.revokeIfOf(client, username));
		}
		Instant expiresAt = this.clock.instant().plus(lifetime);
		String accessToken = newValue();
		this.accessTokens.put(accessToken, new Grant(client, username, expiresAt));
		String refreshToken = null;
		if (withRefreshToken) {
			refreshToken = newValue();
			this.refreshTokens.put(refreshToken, new Grant(client, username, Instant.MAX));
		}
		return new Issued(accessToken, refreshToken, expiresAt);
	}

	/**
	 * Uses up a refresh token: returns the grant it carried, or null when it is unknown, used or revoked.
	 */
	@Nullable Grant redeem(String refreshToken) {
		Grant grant = this.refreshTokens.get(refreshToken);
		if (grant == null || grant.revoked) {
			return null;
		}
		grant.revoked = true;
		return grant;
	}

	/**
	 * Revokes an access or refresh token of the given client; others' tokens are left alone (RFC 7009 2.1).
	 */
	void revoke(StubbedClient client, String token) {
		Grant grant = this.accessTokens.get(token);
		if (grant == null) {
			grant = this.refreshTokens.get(token);
		}
		if (grant != null && grant.client.equals(client)) {
			grant.revoked = true;
		}
	}

	/**
	 * Revokes every token issued so far; returns how many access tokens were valid until then.
	 */
	int revokeAll() {
		int active = 0;
		for (Grant grant : this.accessTokens.values()) {
			if (isActive(grant)) {
				active++;
			}
			grant.revoked = true;
		}
		this.refreshTokens.values().forEach((grant) -> grant.revoked = true);
		return active;
	}

	boolean issued(String accessToken) {
		return this.accessTokens.containsKey(accessToken);
	}

	boolean isActive(String accessToken) {
		Grant grant = this.accessTokens.get(accessToken);
		return grant != null && isActive(grant);
	}

	private boolean isActive(Grant grant) {
		return !grant.revoked && this.clock.instant().isBefore(grant.expiresAt);
	}

	private String newValue() {
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * Tokens just issued.
	 */
	record Issued(String accessToken, @Nullable String refreshToken, Instant expiresAt) {

		@Override
		public String toString() {
			return "Issued[expiresAt=" + this.expiresAt + "]";
		}

	}

	/**
	 * Whom a token was issued to, until when, and whether it was revoked.
	 */
	static final class Grant {

		private final StubbedClient client;

		private final @Nullable String username;

		private final Instant expiresAt;

		private boolean revoked;

		Grant(StubbedClient client, @Nullable String username, Instant expiresAt) {
			this.client = client;
			this.username = username;
			this.expiresAt = expiresAt;
		}

		StubbedClient client() {
			return this.client;
		}

		@Nullable String username() {
			return this.username;
		}

		private void revokeIfOf(StubbedClient client, @Nullable String username) {
			if (this.client.equals(client) && Objects.equals(this.username, username)) {
				this.revoked = true;
			}
		}

	}

}
