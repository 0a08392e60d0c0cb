package dev.tokenstarter.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenUsersAutoConfiguration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;

/**
 * A strict WSO2 API Manager for users who sign in themselves: one session per client and user. A password grant
 * for a user revokes that user's earlier token (other users keep theirs); refresh tokens rotate, and presenting a
 * rotated one is reuse, which revokes the user's session; the revocation endpoint (RFC 7009) ends the session of
 * the token it is given; the gateway answers any token but a user's live one with 401 and code 900901, and a live
 * one with the user's name. Only known users with their password are signed in.
 *
 * <p>Three WireMock transformers share the sessions: register them with
 * {@code wireMockConfig().extensions(wso2.tokenEndpoint(), wso2.revocationEndpoint(), wso2.api())} and stub them
 * with {@link #stubOn(WireMockExtension, Duration)}. The counters are the verdicts.
 */
public final class Wso2UserSessions {

	public static final String REVOKE_PATH = "/oauth2/revoke";

	/** WSO2 4.x gateway's answer to a revoked or unknown token. */
	public static final String INVALID_CREDENTIALS = "{\"code\":\"900901\",\"message\":\"Invalid Credentials\","
			+ "\"description\":\"Invalid Credentials. Make sure you have provided the correct security credentials\"}";

	private final Map<String, String> passwords;

	private final Duration lifetime;

	private final Clock clock;

	/** The live session of each user, replaced whole; read by the API without a lock. */
	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	/** Refresh tokens rotated away, with their user: presenting one again is reuse. */
	private final Map<String, String> rotated = new HashMap<>();

	private final Map<String, AtomicInteger> passwordGrants = new ConcurrentHashMap<>();

	private final AtomicInteger issued = new AtomicInteger();

	private final AtomicInteger refreshes = new AtomicInteger();

	private final AtomicInteger refusedRefreshes = new AtomicInteger();

	private final AtomicInteger reuses = new AtomicInteger();

	private final AtomicInteger refusedPasswords = new AtomicInteger();

	private final AtomicInteger revocations = new AtomicInteger();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger rejected = new AtomicInteger();

	private final Transformer tokenEndpoint = new Transformer("wso2-user-token", this::token);

	private final Transformer revocationEndpoint = new Transformer("wso2-user-revoke", this::revoke);

	private final Transformer api = new Transformer("wso2-user-api", this::call);

	/**
	 * @param passwords the known users and their passwords
	 * @param lifetime the access tokens' lifetime, whole seconds
	 * @param clock the provider's clock, which decides expiry
	 */
	public Wso2UserSessions(Map<String, String> passwords, Duration lifetime, Clock clock) {
		this.passwords = new ConcurrentHashMap<>(passwords);
		this.lifetime = lifetime;
		this.clock = clock;
	}

	public Transformer tokenEndpoint() {
		return this.tokenEndpoint;
	}

	public Transformer revocationEndpoint() {
		return this.revocationEndpoint;
	}

	public Transformer api() {
		return this.api;
	}

	/**
	 * Stubs the token endpoint ({@code POST /token}), the revocation endpoint and the API of a WireMock server
	 * that has this provider's transformers.
	 * @param server the server
	 * @param tokenLatency how long each token response takes after the token is issued
	 */
	/**
	 * Returns a WireMock server that answers as this stub once {@link #stubOn stubbed}: token, revocation and
	 * API endpoints, with threads for a fleet's concurrent calls.
	 */
	public WireMockExtension server() {
		return WireMockExtension.newInstance()
			.options(wireMockConfig().dynamicPort()
				.containerThreads(128)
				.extensions(tokenEndpoint(), revocationEndpoint(), api()))
			.build();
	}

	/**
	 * An instance of a fleet whose provider {@code name} is the WSO2 stub on {@code server}, with users' tokens,
	 * connected to Redis by {@code connection} ({@code spring.data.redis.*} properties).
	 */
	public static ApplicationContextRunner fleetInstance(WireMockExtension server, Clock clock, String name,
			String... connection) {
		return FleetTestSupport.instance(server, clock, connection)
			.withConfiguration(AutoConfigurations.of(TokenUsersAutoConfiguration.class))
			.withPropertyValues(TokenStubs.providerProperties(server, name))
			.withPropertyValues("token.providers." + name + ".type=wso2",
					"token.providers." + name + ".revoke-uri=" + server.baseUrl() + REVOKE_PATH);
	}

	public void stubOn(WireMockExtension server, Duration tokenLatency) {
		server.stubFor(tokenRequest().willReturn(
				aResponse().withTransformers(this.tokenEndpoint.getName()).withFixedDelay((int) tokenLatency.toMillis())));
		server.stubFor(post(urlPathEqualTo(REVOKE_PATH))
			.willReturn(aResponse().withTransformers(this.revocationEndpoint.getName())));
		server.stubFor(any(urlPathEqualTo(API_PATH)).willReturn(aResponse().withTransformers(this.api.getName())));
	}

	/**
	 * Ends a user's session as another device logging out would, outside the application under test.
	 */
	public synchronized void endSessionOf(String username) {
		this.sessions.remove(username);
	}

	/**
	 * Changes a user's password, as the user would at the provider; the live session goes on.
	 */
	public void changePassword(String username, String password) {
		this.passwords.put(username, password);
	}

	/** Returns the user's live access token, or null. */
	public @Nullable String liveToken(String username) {
		Session session = this.sessions.get(username);
		return (session != null) ? session.accessToken() : null;
	}

	/** Returns the user's live refresh token, or null. */
	public @Nullable String liveRefreshToken(String username) {
		Session session = this.sessions.get(username);
		return (session != null) ? session.refreshToken() : null;
	}

	/** Password grants that signed the user in (each one a new session). */
	public int passwordGrants(String username) {
		AtomicInteger count = this.passwordGrants.get(username);
		return (count != null) ? count.get() : 0;
	}

	/** Tokens issued, to every user and grant. */
	public int issued() {
		return this.issued.get();
	}

	/** Refresh token grants that succeeded. */
	public int refreshes() {
		return this.refreshes.get();
	}

	/** Refresh token grants refused because the session had ended (revoked, or replaced by a new sign-in). */
	public int refusedRefreshes() {
		return this.refusedRefreshes.get();
	}

	/** Rotated refresh tokens presented again. */
	public int reuses() {
		return this.reuses.get();
	}

	/** Password grants refused for a wrong password or an unknown user. */
	public int refusedPasswords() {
		return this.refusedPasswords.get();
	}

	/** Tokens revoked through the revocation endpoint that ended a live session. */
	public int revocations() {
		return this.revocations.get();
	}

	/** API calls accepted. */
	public int accepted() {
		return this.accepted.get();
	}

	/** API calls answered 900901. */
	public int rejected() {
		return this.rejected.get();
	}

	/**
	 * Answers a token request, refusals included, after the stub's delay: a slow network slows every answer.
	 */
	private synchronized ResponseDefinition token(ServeEvent event) {
		Integer delay = event.getResponseDefinition().getFixedDelayMilliseconds();
		return ResponseDefinitionBuilder.like(tokenAnswer(event)).withFixedDelay(delay).build();
	}

	private ResponseDefinition tokenAnswer(ServeEvent event) {
		if (event.getRequest().getHeader("Authorization") == null) {
			return error(401, "invalid_client");
		}
		Map<String, String> parameters = TokenStubs.formParameters(event.getRequest().getBodyAsString());
		String username;
		if ("password".equals(parameters.get("grant_type"))) {
			username = parameters.get("username");
			String expected = (username != null) ? this.passwords.get(username) : null;
			if (expected == null || !expected.equals(parameters.get("password"))) {
				this.refusedPasswords.incrementAndGet();
				return error(400, "invalid_grant");
			}
			this.passwordGrants.computeIfAbsent(username, (name) -> new AtomicInteger()).incrementAndGet();
		}
		else if ("refresh_token".equals(parameters.get("grant_type"))) {
			String presented = parameters.get("refresh_token");
			username = owner(presented);
			if (username == null) {
				String reusedBy = this.rotated.get(presented);
				if (reusedBy != null) {
					// Someone holds a copy of the user's refresh token: the whole session is compromised.
					this.reuses.incrementAndGet();
					this.sessions.remove(reusedBy);
				}
				this.refusedRefreshes.incrementAndGet();
				return error(400, "invalid_grant");
			}
			this.rotated.put(presented, username);
			this.refreshes.incrementAndGet();
		}
		else {
			return error(400, "unsupported_grant_type");
		}
		int n = this.issued.incrementAndGet();
		Session session = new Session("AT-" + n + "-" + username, "RT-" + n + "-" + username,
				this.clock.instant().plus(this.lifetime));
		// One session per client and user: the new token ends the user's earlier one.
		this.sessions.put(username, session);
		return aResponse().withStatus(200)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"access_token\":\"" + session.accessToken() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
					+ this.lifetime.toSeconds() + ",\"refresh_token\":\"" + session.refreshToken() + "\"}")
			.build();
	}

	private @Nullable String owner(@Nullable String refreshToken) {
		return this.sessions.entrySet()
			.stream()
			.filter((entry) -> entry.getValue().refreshToken().equals(refreshToken))
			.map(Map.Entry::getKey)
			.findFirst()
			.orElse(null);
	}

	private synchronized ResponseDefinition revoke(ServeEvent event) {
		if (event.getRequest().getHeader("Authorization") == null) {
			return error(401, "invalid_client");
		}
		String token = TokenStubs.formParameters(event.getRequest().getBodyAsString()).get("token");
		Map<String, Session> live = new HashMap<>(this.sessions);
		live.forEach((username, session) -> {
			if (session.accessToken().equals(token) || session.refreshToken().equals(token)) {
				this.sessions.remove(username);
				this.revocations.incrementAndGet();
			}
		});
		// RFC 7009: 200 whether or not the token was known.
		return aResponse().withStatus(200).build();
	}

	private ResponseDefinition call(ServeEvent event) {
		String authorization = event.getRequest().getHeader("Authorization");
		String token = (authorization != null && authorization.startsWith("Bearer "))
				? authorization.substring("Bearer ".length()) : null;
		Instant now = this.clock.instant();
		for (Map.Entry<String, Session> entry : this.sessions.entrySet()) {
			Session session = entry.getValue();
			if (session.accessToken().equals(token) && now.isBefore(session.expiresAt())) {
				this.accepted.incrementAndGet();
				return aResponse().withStatus(200).withHeader("Content-Type", "text/plain").withBody(entry.getKey()).build();
			}
		}
		this.rejected.incrementAndGet();
		return aResponse().withStatus(401)
			.withHeader("Content-Type", "application/json")
			.withBody(INVALID_CREDENTIALS)
			.build();
	}

	private static ResponseDefinition error(int status, String code) {
		return aResponse().withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"error\":\"" + code + "\"}")
			.build();
	}

	private record Session(String accessToken, String refreshToken, Instant expiresAt) {
	}

	/**
	 * One of the provider's endpoints as a WireMock transformer.
	 */
	public static final class Transformer implements ResponseDefinitionTransformerV2 {

		private final String name;

		private final Function<ServeEvent, ResponseDefinition> endpoint;

		private Transformer(String name, Function<ServeEvent, ResponseDefinition> endpoint) {
			this.name = name;
			this.endpoint = endpoint;
		}

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public boolean applyGlobally() {
			return false;
		}

		@Override
		public ResponseDefinition transform(ServeEvent serveEvent) {
			return this.endpoint.apply(serveEvent);
		}

	}

}
