package dev.tokenstarter.sample.provider;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The tokens the demo provider has issued and not yet revoked, for every dialect. Tokens are random opaque
 * strings; nothing here is ever logged.
 */
public class DemoTokens {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Map<String, Held> accessTokens = new ConcurrentHashMap<>();

	private final Map<String, Held> refreshTokens = new ConcurrentHashMap<>();

	private final DemoCounters counters;

	private final Duration tokenLifetime;

	private final Duration refreshTokenLifetime;

	private final Clock clock;

	public DemoTokens(DemoCounters counters, Duration tokenLifetime, Duration refreshTokenLifetime, Clock clock) {
		this.counters = counters;
		this.tokenLifetime = tokenLifetime;
		this.refreshTokenLifetime = refreshTokenLifetime;
		this.clock = clock;
	}

	/**
	 * Issues a new access token, and a refresh token when the dialect has them.
	 */
	public Issued issue(String dialect, boolean withRefreshToken) {
		this.counters.of(dialect).issued();
		return create(dialect, withRefreshToken, null);
	}

	/**
	 * Issues a new access token and refresh token to a user signed in with the user's own password.
	 */
	public Issued issue(String dialect, String user) {
		this.counters.of(dialect).issued();
		this.counters.user(user).signedIn();
		return create(dialect, true, user);
	}

	/**
	 * Exchanges a refresh token for new tokens. The refresh token is single use, as WSO2's are: the answer
	 * carries a new one and the old one stops working.
	 */
	public Optional<Issued> refresh(String dialect, String refreshToken) {
		Held held = this.refreshTokens.remove(refreshToken);
		if (held == null || !held.dialect().equals(dialect) || held.isExpiredAt(this.clock.instant())) {
			return Optional.empty();
		}
		this.counters.of(dialect).refreshed();
		if (held.user() != null) {
			this.counters.user(held.user()).refreshed();
		}
		return Optional.of(create(dialect, true, held.user()));
	}

	/**
	 * Revokes an access or refresh token; unknown tokens are ignored, as RFC 7009 asks.
	 */
	public void revoke(String token) {
		Held access = this.accessTokens.remove(token);
		Held refresh = this.refreshTokens.remove(token);
		Held revoked = (access != null) ? access : refresh;
		if (revoked != null) {
			this.counters.of(revoked.dialect()).revoked();
			if (revoked.user() != null) {
				this.counters.user(revoked.user()).revoked();
			}
		}
	}

	/**
	 * Revokes every token of every dialect, as an administrator ending all sessions would.
	 */
	public void revokeAll() {
		this.accessTokens.values().forEach((held) -> {
			this.counters.of(held.dialect()).revoked();
			if (held.user() != null) {
				this.counters.user(held.user()).revoked();
			}
		});
		this.accessTokens.clear();
		this.refreshTokens.clear();
	}

	/**
	 * Returns who an access token was issued to, when it is known, unexpired and not revoked.
	 */
	public Optional<Bearer> validate(@Nullable String accessToken) {
		Held held = (accessToken != null) ? this.accessTokens.get(accessToken) : null;
		if (held == null || held.isExpiredAt(this.clock.instant())) {
			return Optional.empty();
		}
		return Optional.of(new Bearer(held.dialect(), held.user()));
	}

	/**
	 * Counts a user's access tokens that are still valid: none once the user has signed out.
	 */
	public long activeTokens(String user) {
		Instant now = this.clock.instant();
		return this.accessTokens.values()
			.stream()
			.filter((held) -> user.equals(held.user()) && !held.isExpiredAt(now))
			.count();
	}

	public Duration tokenLifetime() {
		return this.tokenLifetime;
	}

	private Issued create(String dialect, boolean withRefreshToken, @Nullable String user) {
		Instant now = this.clock.instant();
		forgetExpired(now);
		Instant expiresAt = now.plus(this.tokenLifetime);
		String accessToken = randomToken();
		this.accessTokens.put(accessToken, new Held(dialect, user, expiresAt));
		String refreshToken = null;
		if (withRefreshToken) {
			refreshToken = randomToken();
			this.refreshTokens.put(refreshToken, new Held(dialect, user, now.plus(this.refreshTokenLifetime)));
		}
		return new Issued(accessToken, refreshToken, expiresAt, this.tokenLifetime.toSeconds());
	}

	/** Keeps the maps as small as the tokens still alive, however long the demo runs. */
	private void forgetExpired(Instant now) {
		this.accessTokens.values().removeIf((held) -> held.isExpiredAt(now));
		this.refreshTokens.values().removeIf((held) -> held.isExpiredAt(now));
	}

	private static String randomToken() {
		byte[] bytes = new byte[24];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * Tokens just issued.
	 *
	 * @param accessToken the access token
	 * @param refreshToken the refresh token, or null
	 * @param expiresAt when the access token expires
	 * @param expiresIn its lifetime in seconds
	 */
	public record Issued(String accessToken, @Nullable String refreshToken, Instant expiresAt, long expiresIn) {

	}

	/**
	 * Who a valid access token was issued to.
	 *
	 * @param dialect the dialect that issued it
	 * @param user the user signed in with the password grant, or null for an application's token
	 */
	public record Bearer(String dialect, @Nullable String user) {

	}

	private record Held(String dialect, @Nullable String user, Instant expiresAt) {

		boolean isExpiredAt(Instant now) {
			return !now.isBefore(this.expiresAt);
		}

	}

}
