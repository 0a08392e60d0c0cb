package dev.tokenstarter.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;

/**
 * A provider that keeps one session per client, like Nomba and WSO2 API Manager: every token it issues
 * invalidates all the client's earlier ones, and its API accepts only the newest token while it lives.
 *
 * <p>Two WireMock transformers share the session: this one is the token endpoint (client credentials or any
 * other primary grant, and optionally the refresh token grant with rotation), {@link #api()} the API. Register
 * both with {@code wireMockConfig().extensions(provider, provider.api())} and stub them with
 * {@link #stubOn(WireMockExtension, Duration)}. The counters are the verdicts: token requests with their times
 * (so a test counts the requests inside a window), and the API's acceptances and rejections.
 *
 * <p>The session changes when a token is issued, before the response leaves (and before any latency the stub
 * adds), as at a real provider: a fleet instance still waiting for its response already holds a dead token.
 */
public final class SingleSessionProvider implements ResponseDefinitionTransformerV2 {

	/**
	 * A request header naming the caller (such as the fleet instance), so the API remembers the last token
	 * each caller sent: {@link Api#lastTokenSentBy(String)}.
	 */
	public static final String CALLER_HEADER = "X-Test-Caller";

	private static final Pattern JSON_STRING = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*\"([^\"]*)\"");

	private final Duration lifetime;

	private final Clock clock;

	private final boolean refreshTokens;

	private final Api api = new Api();

	private final AtomicInteger issued = new AtomicInteger();

	private final AtomicInteger authentications = new AtomicInteger();

	private final AtomicInteger refreshes = new AtomicInteger();

	private final AtomicInteger reuses = new AtomicInteger();

	private final Queue<Instant> tokenRequestTimes = new ConcurrentLinkedQueue<>();

	/** Read on every API call without a lock, replaced whole when a token is issued. */
	private volatile @Nullable Session session;

	private SingleSessionProvider(Duration lifetime, Clock clock, boolean refreshTokens) {
		Assert.isTrue(lifetime.toSeconds() > 0, "lifetime must be at least a second");
		Assert.notNull(clock, "clock cannot be null");
		this.lifetime = lifetime;
		this.clock = clock;
		this.refreshTokens = refreshTokens;
	}

	/**
	 * A provider issuing access tokens only, to any primary grant (client credentials, password).
	 * @param lifetime the tokens' lifetime ({@code expires_in}), whole seconds
	 * @param clock the provider's clock, which decides expiry
	 */
	public static SingleSessionProvider clientCredentials(Duration lifetime, Clock clock) {
		return new SingleSessionProvider(lifetime, clock, false);
	}

	/**
	 * A provider that also issues a refresh token with every access token and rotates it: a refresh starts a
	 * new session (invalidating the old access token) and retires the refresh token it used. Only the newest
	 * session's refresh token is live; presenting any other is answered {@code invalid_grant} and counted as a
	 * reuse.
	 * @param lifetime the access tokens' lifetime ({@code expires_in}), whole seconds
	 * @param clock the provider's clock, which decides expiry
	 */
	public static SingleSessionProvider withRotatingRefreshTokens(Duration lifetime, Clock clock) {
		return new SingleSessionProvider(lifetime, clock, true);
	}

	/**
	 * Stubs the token endpoint ({@code POST /token}) and the API (any method on {@code /api}) of a WireMock
	 * server that has this provider's transformers.
	 * @param server the server
	 * @param tokenLatency how long each token response takes after the token is issued
	 */
	public void stubOn(WireMockExtension server, Duration tokenLatency) {
		server.stubFor(tokenRequest()
			.willReturn(aResponse().withTransformers(getName()).withFixedDelay((int) tokenLatency.toMillis())));
		server.stubFor(any(urlPathEqualTo(API_PATH)).willReturn(aResponse().withTransformers(this.api.getName())));
	}

	@Override
	public String getName() {
		return "single-session-token-endpoint";
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

	@Override
	public synchronized ResponseDefinition transform(ServeEvent serveEvent) {
		Instant now = this.clock.instant();
		this.tokenRequestTimes.add(now);
		Map<String, String> parameters = parameters(serveEvent.getRequest().getBodyAsString());
		if ("refresh_token".equals(parameters.get("grant_type"))) {
			Session current = this.session;
			String presented = parameters.get("refresh_token");
			if (!this.refreshTokens || current == null || presented == null
					|| !presented.equals(current.refreshToken())) {
				this.reuses.incrementAndGet();
				return aResponse().withStatus(400)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"error\":\"invalid_grant\"}")
					.build();
			}
			this.refreshes.incrementAndGet();
		}
		else {
			this.authentications.incrementAndGet();
		}
		int n = this.issued.incrementAndGet();
		Session issued = new Session("SESSION-" + n, this.refreshTokens ? "REFRESH-" + n : null,
				now.plus(this.lifetime));
		this.session = issued;
		String refreshToken = (issued.refreshToken() != null)
				? ",\"refresh_token\":\"" + issued.refreshToken() + "\"" : "";
		return aResponse().withStatus(200)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"access_token\":\"" + issued.accessToken() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
					+ this.lifetime.toSeconds() + refreshToken + "}")
			// The stub's latency applies after the token is issued: keep it on the transformed response.
			.withFixedDelay(serveEvent.getResponseDefinition().getFixedDelayMilliseconds())
			.build();
	}

	/**
	 * The provider's API: accepts only the newest token while it lives.
	 */
	public Api api() {
		return this.api;
	}

	/**
	 * Whether {@code accessToken} is the one the API accepts now: the newest issued, not expired.
	 */
	public boolean isLive(@Nullable String accessToken) {
		Session current = this.session;
		return current != null && current.accessToken().equals(accessToken)
				&& this.clock.instant().isBefore(current.expiresAt());
	}

	/**
	 * Returns the newest access token issued, live or expired, or null before the first.
	 */
	public @Nullable String newestToken() {
		Session current = this.session;
		return (current != null) ? current.accessToken() : null;
	}

	/** Primary-grant token requests (client credentials, password): each one a new session. */
	public int authentications() {
		return this.authentications.get();
	}

	/** Refresh token requests that succeeded. */
	public int refreshes() {
		return this.refreshes.get();
	}

	/** Refresh token requests refused because their refresh token was retired (or none was issued). */
	public int reuses() {
		return this.reuses.get();
	}

	/** Tokens issued. */
	public int issued() {
		return this.issued.get();
	}

	/** Token requests of every kind, refused ones included. */
	public int tokenRequests() {
		return this.tokenRequestTimes.size();
	}

	/**
	 * Returns how many token requests arrived at or after {@code from} and before {@code to}, on the
	 * provider's clock.
	 */
	public int tokenRequestsBetween(Instant from, Instant to) {
		return (int) this.tokenRequestTimes.stream()
			.filter((time) -> !time.isBefore(from) && time.isBefore(to))
			.count();
	}

	/** The arrival times of every token request so far, in order. */
	public List<Instant> tokenRequestTimes() {
		return List.copyOf(this.tokenRequestTimes);
	}

	/**
	 * Returns every counter at once, so a test can subtract one snapshot from another per phase.
	 */
	public Counts counts() {
		return new Counts(tokenRequests(), authentications(), refreshes(), this.api.accepted(), this.api.rejected(),
				this.api.rejectedNewest());
	}

	private static Map<String, String> parameters(String body) {
		Map<String, String> parameters = new HashMap<>();
		if (body.trim().startsWith("{")) {
			// Token requests of JSON dialects (Nomba): flat string members are enough here.
			Matcher member = JSON_STRING.matcher(body);
			while (member.find()) {
				parameters.put(member.group(1), member.group(2));
			}
			return parameters;
		}
		return TokenStubs.formParameters(body);
	}

	/**
	 * The provider's counters at one moment.
	 *
	 * @param tokenRequests token requests of every kind
	 * @param authentications primary-grant token requests
	 * @param refreshes successful refresh token requests
	 * @param accepted API requests accepted (200)
	 * @param rejected API requests rejected (401)
	 * @param rejectedNewest API requests rejected although they carried the newest token, because it had
	 * expired: a client must never send a token that late
	 */
	public record Counts(int tokenRequests, int authentications, int refreshes, int accepted, int rejected,
			int rejectedNewest) {

		/** The API requests, accepted or rejected. */
		public int apiRequests() {
			return this.accepted + this.rejected;
		}

		/** What happened between {@code earlier} and this snapshot. */
		public Counts minus(Counts earlier) {
			return new Counts(this.tokenRequests - earlier.tokenRequests,
					this.authentications - earlier.authentications, this.refreshes - earlier.refreshes,
					this.accepted - earlier.accepted, this.rejected - earlier.rejected,
					this.rejectedNewest - earlier.rejectedNewest);
		}

	}

	private record Session(String accessToken, @Nullable String refreshToken, Instant expiresAt) {
	}

	/**
	 * The API of a single-session provider: {@code 200} for the newest live token, {@code 401} with
	 * {@code WWW-Authenticate: Bearer error="invalid_token"} for any other, or none.
	 */
	public final class Api implements ResponseDefinitionTransformerV2 {

		private final AtomicInteger accepted = new AtomicInteger();

		private final AtomicInteger rejected = new AtomicInteger();

		private final AtomicInteger rejectedNewest = new AtomicInteger();

		private final Map<String, String> lastTokenByCaller = new ConcurrentHashMap<>();

		private Api() {
		}

		@Override
		public String getName() {
			return "single-session-api";
		}

		@Override
		public boolean applyGlobally() {
			return false;
		}

		@Override
		public ResponseDefinition transform(ServeEvent serveEvent) {
			String authorization = serveEvent.getRequest().getHeader("Authorization");
			String token = (authorization != null && authorization.startsWith("Bearer "))
					? authorization.substring("Bearer ".length()) : null;
			String caller = serveEvent.getRequest().getHeader(CALLER_HEADER);
			if (caller != null && token != null) {
				this.lastTokenByCaller.put(caller, token);
			}
			Session current = SingleSessionProvider.this.session;
			boolean newest = current != null && current.accessToken().equals(token);
			if (newest && SingleSessionProvider.this.clock.instant().isBefore(current.expiresAt())) {
				this.accepted.incrementAndGet();
				return aResponse().withStatus(200).withHeader("Content-Type", "text/plain").withBody("ok").build();
			}
			this.rejected.incrementAndGet();
			if (newest) {
				this.rejectedNewest.incrementAndGet();
			}
			return aResponse().withStatus(401)
				.withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
				.withHeader("Content-Type", "application/json")
				.withBody("{\"error\":\"invalid_token\"}")
				.build();
		}

		/** API requests accepted (200). */
		public int accepted() {
			return this.accepted.get();
		}

		/** API requests rejected (401). */
		public int rejected() {
			return this.rejected.get();
		}

		/** API requests rejected although they carried the newest token (so it had expired). */
		public int rejectedNewest() {
			return this.rejectedNewest.get();
		}

		/**
		 * Returns the last token sent by the caller named in {@link #CALLER_HEADER}, or null.
		 */
		public @Nullable String lastTokenSentBy(String caller) {
			return this.lastTokenByCaller.get(caller);
		}

	}

}
