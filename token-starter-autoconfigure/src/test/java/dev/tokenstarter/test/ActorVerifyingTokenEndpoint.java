package dev.tokenstarter.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A token endpoint as strict about RFC 8693 delegation as an authorization server that checks its actors: it
 * issues client-credentials tokens to its clients, and exchanges a subject token only with an actor token
 * ({@code actor_token}, of type access token) that it issued itself, that has not expired by its clock and has
 * not been revoked. Every refusal is counted with its reason; every exchanged token remembers whose client acted,
 * as the {@code act} claim of a real one would say. Clients authenticate with HTTP Basic; subject tokens are the
 * ones the test declares.
 */
public final class ActorVerifyingTokenEndpoint implements AutoCloseable {

	public static final String TOKEN_PATH = "/token";

	private static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

	private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

	private final HttpServer server;

	private final Clock clock;

	private final Map<String, String> clients;

	private final Duration lifetime;

	private final Set<String> subjects = ConcurrentHashMap.newKeySet();

	/** Client-credentials tokens issued: the token, the client it was issued to and when it expires. */
	private final Map<String, Issued> issued = new ConcurrentHashMap<>();

	private final Set<String> revoked = ConcurrentHashMap.newKeySet();

	/** Exchanged tokens, and the client whose actor token each was exchanged with. */
	private final Map<String, String> actors = new ConcurrentHashMap<>();

	private final List<Map<String, String>> exchanges = Collections.synchronizedList(new ArrayList<>());

	private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());

	private final AtomicInteger clientCredentials = new AtomicInteger();

	private final AtomicInteger sequence = new AtomicInteger();

	/** The error code of a refused subject or actor token: invalid_grant, as many servers answer, by default. */
	private volatile String invalidTokenError = "invalid_grant";

	private ActorVerifyingTokenEndpoint(Clock clock, Map<String, String> clients, Duration lifetime)
			throws IOException {
		this.clock = clock;
		this.clients = Map.copyOf(clients);
		this.lifetime = lifetime;
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext(TOKEN_PATH, this::handle);
		this.server.start();
	}

	/**
	 * Starts an endpoint.
	 * @param clock the clock that says when the tokens it issued expire
	 * @param clients the clients' secrets, by client id
	 * @param lifetime the lifetime of every token it issues
	 * @return the running endpoint
	 */
	public static ActorVerifyingTokenEndpoint start(Clock clock, Map<String, String> clients, Duration lifetime) {
		try {
			return new ActorVerifyingTokenEndpoint(clock, clients, lifetime);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String tokenUri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + TOKEN_PATH;
	}

	/** Makes a subject token one that this server accepts for exchange. */
	public void acceptSubject(String subjectToken) {
		this.subjects.add(subjectToken);
	}

	/**
	 * Refuses an unknown subject token or an invalid actor token with {@code invalid_request}, as RFC 8693 section
	 * 2.2.2 has it (and Keycloak does), instead of {@code invalid_grant}.
	 */
	public ActorVerifyingTokenEndpoint refusingInvalidTokensAsTheRfcSays() {
		this.invalidTokenError = "invalid_request";
		return this;
	}

	/** Revokes a token this server issued, as its administrator (or the client's logout) would. */
	public void revoke(String token) {
		this.revoked.add(token);
	}

	/** The client whose actor token an exchanged token was issued with, or null. */
	public String actorOf(String exchangedToken) {
		return this.actors.get(exchangedToken);
	}

	/** The form parameters of every token exchange request, refused or not, in order. */
	public List<Map<String, String>> exchanges() {
		synchronized (this.exchanges) {
			return List.copyOf(this.exchanges);
		}
	}

	/** Why requests were refused, in order. */
	public List<String> refusals() {
		synchronized (this.refusals) {
			return List.copyOf(this.refusals);
		}
	}

	/** How many client-credentials tokens were issued. */
	public int clientCredentialsIssued() {
		return this.clientCredentials.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			Map<String, String> form = TokenStubs.formParameters(body);
			String client = authenticatedClient(exchange.getRequestHeaders().getFirst("Authorization"));
			if (client == null) {
				refuse(exchange, 401, "invalid_client", "unknown client or wrong secret");
				return;
			}
			if ("client_credentials".equals(form.get("grant_type"))) {
				this.clientCredentials.incrementAndGet();
				issue(exchange, "A-", client, null);
				return;
			}
			if (!EXCHANGE.equals(form.get("grant_type"))) {
				refuse(exchange, 400, "unsupported_grant_type", "grant " + form.get("grant_type"));
				return;
			}
			this.exchanges.add(Map.copyOf(form));
			if (!this.subjects.contains(form.get("subject_token"))
					|| !ACCESS_TOKEN_TYPE.equals(form.get("subject_token_type"))) {
				refuse(exchange, 400, this.invalidTokenError, "unknown subject token");
				return;
			}
			String actorRefusal = actorRefusal(form.get("actor_token"), form.get("actor_token_type"));
			if (actorRefusal != null) {
				refuse(exchange, 400, (form.get("actor_token") == null) ? "invalid_request" : this.invalidTokenError,
						actorRefusal);
				return;
			}
			issue(exchange, "X-", null, this.issued.get(form.get("actor_token")).client());
		}
	}

	/**
	 * Returns why an actor token is refused, or null when it is one this server issued and is still valid.
	 */
	private String actorRefusal(String actorToken, String actorTokenType) {
		if (actorToken == null) {
			return "an actor token is required";
		}
		if (!ACCESS_TOKEN_TYPE.equals(actorTokenType)) {
			return "actor_token_type must be " + ACCESS_TOKEN_TYPE + ", was " + actorTokenType;
		}
		Issued actor = this.issued.get(actorToken);
		if (actor == null) {
			return "the actor token was not issued here";
		}
		if (!actor.expiresAt().isAfter(this.clock.instant())) {
			return "the actor token has expired";
		}
		if (this.revoked.contains(actorToken)) {
			return "the actor token has been revoked";
		}
		return null;
	}

	private String authenticatedClient(String authorization) {
		if (authorization == null || !authorization.startsWith("Basic ")) {
			return null;
		}
		String[] credentials = new String(Base64.getDecoder().decode(authorization.substring(6)),
				StandardCharsets.UTF_8)
			.split(":", 2);
		return (credentials.length == 2 && credentials[1].equals(this.clients.get(credentials[0]))) ? credentials[0]
				: null;
	}

	private void issue(HttpExchange exchange, String prefix, String client, String actor) throws IOException {
		String token = prefix + this.sequence.incrementAndGet();
		if (client != null) {
			this.issued.put(token, new Issued(client, this.clock.instant().plus(this.lifetime)));
		}
		if (actor != null) {
			this.actors.put(token, actor);
		}
		answer(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + "}");
	}

	private void refuse(HttpExchange exchange, int status, String error, String description) throws IOException {
		this.refusals.add(description);
		answer(exchange, status, "{\"error\":\"" + error + "\",\"error_description\":\"" + description + "\"}");
	}

	private static void answer(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	private record Issued(String client, Instant expiresAt) {
	}

}
