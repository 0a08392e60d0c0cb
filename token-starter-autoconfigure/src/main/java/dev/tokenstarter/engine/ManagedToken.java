package dev.tokenstarter.engine;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.Secrets;

/**
 * A token held by the engine, with the instants at which it turns stale (renew in the background) and expired
 * (no longer served). Immutable but for the last-use time; built once per token so that serving it allocates
 * nothing.
 */
public final class ManagedToken {

	private static final String BEARER_SCHEME = "Bearer ";

	private static final String DPOP_SCHEME = "DPoP ";

	private final OAuth2AuthorizedClient authorizedClient;

	private final @Nullable String authorizationHeaderValue;

	private final long staleAtMillis;

	private final long expiredAtMillis;

	private final Mono<ManagedToken> mono;

	private final boolean sendable;

	private final boolean dpopBound;

	private final boolean applicationToken;

	private final String scheme;

	private volatile long lastUsedMillis;

	/**
	 * Creates a held token.
	 * @param applicationToken whether it is its provider's application token; its header value is built once
	 * here, as it is on every call's path, while a key among many (a user's) builds it per call, since kept it
	 * would be a second copy of each token in memory
	 */
	ManagedToken(OAuth2AuthorizedClient authorizedClient, long staleAtMillis, long expiredAtMillis, long nowMillis,
			boolean applicationToken) {
		this.authorizedClient = authorizedClient;
		this.dpopBound = OAuth2AccessToken.TokenType.DPOP.equals(authorizedClient.getAccessToken().getTokenType());
		this.scheme = this.dpopBound ? DPOP_SCHEME : BEARER_SCHEME;
		this.applicationToken = applicationToken;
		this.authorizationHeaderValue = applicationToken
				? this.scheme + authorizedClient.getAccessToken().getTokenValue() : null;
		this.staleAtMillis = staleAtMillis;
		this.expiredAtMillis = expiredAtMillis;
		this.lastUsedMillis = nowMillis;
		this.mono = Mono.just(this);
		this.sendable = isSendable(authorizedClient.getAccessToken().getTokenValue());
	}

	/**
	 * Whether a token value can travel in an {@code Authorization} header: visible ASCII only. HTTP clients refuse
	 * anything else before sending, which is not a 401 and so would never renew the token.
	 * @param tokenValue the access token's value
	 * @return whether it can be sent
	 */
	public static boolean isSendable(String tokenValue) {
		if (tokenValue.isEmpty()) {
			return false;
		}
		for (int i = 0; i < tokenValue.length(); i++) {
			char c = tokenValue.charAt(i);
			if (c < 0x21 || c > 0x7e) {
				return false;
			}
		}
		return true;
	}

	public OAuth2AuthorizedClient authorizedClient() {
		return this.authorizedClient;
	}

	public OAuth2AccessToken accessToken() {
		return this.authorizedClient.getAccessToken();
	}

	/**
	 * Returns the value of the {@code Authorization} header that carries this token: {@code Bearer}, or
	 * {@code DPoP} for a DPoP-bound token, which also needs a proof on every call.
	 */
	public String authorizationHeaderValue() {
		String prepared = this.authorizationHeaderValue;
		return (prepared != null) ? prepared : this.scheme + tokenValue();
	}

	/**
	 * Whether this is its provider's application token, the one a request that names no key is sent with, rather
	 * than a user's, a caller's or an audience's.
	 */
	public boolean isApplicationToken() {
		return this.applicationToken;
	}

	/**
	 * Whether the token is DPoP-bound (RFC 9449): sent with {@code Authorization: DPoP} and a proof of its key
	 * on every call.
	 */
	public boolean isDpopBound() {
		return this.dpopBound;
	}

	/**
	 * Returns when the token stops being fresh and a background renewal should start.
	 */
	public Instant staleAt() {
		return Instant.ofEpochMilli(this.staleAtMillis);
	}

	/**
	 * Returns when the token stops being served (its expiry minus the safety margin).
	 */
	public Instant expiredAt() {
		return Instant.ofEpochMilli(this.expiredAtMillis);
	}

	long staleAtMillis() {
		return this.staleAtMillis;
	}

	boolean isFreshAt(long nowMillis) {
		return nowMillis < this.staleAtMillis;
	}

	boolean isUsableAt(long nowMillis) {
		return nowMillis < this.expiredAtMillis;
	}

	boolean isSendable() {
		return this.sendable;
	}

	boolean hasValue(@Nullable String tokenValue) {
		return tokenValue().equals(tokenValue);
	}

	String tokenValue() {
		return this.authorizedClient.getAccessToken().getTokenValue();
	}

	Mono<ManagedToken> asMono() {
		return this.mono;
	}

	void markUsed(long nowMillis) {
		this.lastUsedMillis = nowMillis;
	}

	long lastUsedMillis() {
		return this.lastUsedMillis;
	}

	@Override
	public String toString() {
		return "ManagedToken[provider=" + this.authorizedClient.getClientRegistration().getRegistrationId()
				+ ", token=" + Secrets.mask(tokenValue()) + ", staleAt=" + staleAt() + ", expiredAt=" + expiredAt()
				+ "]";
	}

}
