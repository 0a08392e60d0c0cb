package dev.tokenstarter.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A token endpoint (and revocation endpoint) as strict about client assertions as Entra ID or Keycloak: every
 * request must carry a {@code jwt-bearer} client assertion whose signature verifies with one of the client's
 * registered public keys (or its secret, for client_secret_jwt), with {@code iss} = {@code sub} = the client id,
 * a single {@code aud} that is the expected audience, {@code exp} in the future and at most 60 s after
 * {@code iat}, and a {@code jti} never seen before. Anything else is refused with {@code invalid_client} and
 * counted, so tests judge from the counters. Answers can be made to fail with a status first (a 503, say), after
 * the assertion was checked and its {@code jti} spent, as a real server behind a flaky gateway does.
 */
public final class AssertionVerifyingTokenEndpoint implements AutoCloseable {

	public static final String TOKEN_PATH = "/token";

	public static final String REVOKE_PATH = "/revoke";

	private final HttpServer server;

	private final String clientId;

	private volatile String audience;

	private volatile List<JWK> keys = List.of();

	private volatile byte[] secret = new byte[0];

	private final Set<String> seenJtis = ConcurrentHashMap.newKeySet();

	private final Deque<Integer> failures = new ConcurrentLinkedDeque<>();

	private final List<SignedJWT> accepted = Collections.synchronizedList(new ArrayList<>());

	private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());

	private final List<Map<String, String>> requests = Collections.synchronizedList(new ArrayList<>());

	private final AtomicInteger tokens = new AtomicInteger();

	private AssertionVerifyingTokenEndpoint(String clientId) throws IOException {
		this.clientId = clientId;
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", this::handle);
		this.server.start();
		this.audience = baseUrl() + TOKEN_PATH;
	}

	/**
	 * Starts an endpoint for one client, expecting its token endpoint as the audience.
	 */
	public static AssertionVerifyingTokenEndpoint start(String clientId) {
		try {
			return new AssertionVerifyingTokenEndpoint(clientId);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** The client's registered public keys (private ones are reduced to their public part). */
	public AssertionVerifyingTokenEndpoint trusting(JWK... keys) {
		this.keys = Arrays.stream(keys).map(JWK::toPublicJWK).toList();
		return this;
	}

	/** The client's secret, for client_secret_jwt. */
	public AssertionVerifyingTokenEndpoint sharingSecret(String secret) {
		this.secret = secret.getBytes(StandardCharsets.UTF_8);
		return this;
	}

	public AssertionVerifyingTokenEndpoint expectingAudience(String audience) {
		this.audience = audience;
		return this;
	}

	/** The next requests are answered with these statuses, once each, after their assertion was checked. */
	public void failNext(int... statuses) {
		for (int status : statuses) {
			this.failures.add(status);
		}
	}

	/** Assertions that verified, in order. */
	public List<SignedJWT> accepted() {
		synchronized (this.accepted) {
			return List.copyOf(this.accepted);
		}
	}

	/** Why assertions were refused, in order. */
	public List<String> refusals() {
		synchronized (this.refusals) {
			return List.copyOf(this.refusals);
		}
	}

	/** Every request's form parameters, in order. */
	public List<Map<String, String>> requests() {
		synchronized (this.requests) {
			return List.copyOf(this.requests);
		}
	}

	/** How many tokens were issued. */
	public int tokensIssued() {
		return this.tokens.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			Map<String, String> form = parameters(exchange.getRequestHeaders().getFirst("Content-Type"), body);
			this.requests.add(form);
			String refusal = verify(form);
			if (refusal != null) {
				this.refusals.add(refusal);
				answer(exchange, 401, "{\"error\":\"invalid_client\",\"error_description\":\"" + refusal + "\"}");
				return;
			}
			Integer failure = this.failures.poll();
			if (failure != null) {
				answer(exchange, failure, "{\"error\":\"temporarily_unavailable\"}");
				return;
			}
			if (exchange.getRequestURI().getPath().equals(REVOKE_PATH)) {
				answer(exchange, 200, "");
				return;
			}
			answer(exchange, 200, "{\"access_token\":\"AT-" + this.tokens.incrementAndGet()
					+ "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
		}
	}

	/**
	 * Returns why the request's assertion is refused, or null when it is good; a good one's jti is spent.
	 */
	private String verify(Map<String, String> form) {
		if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
			return "no jwt-bearer client_assertion_type";
		}
		if (form.containsKey("client_secret")) {
			return "a client_secret was sent";
		}
		try {
			SignedJWT jwt = SignedJWT.parse(form.get("client_assertion"));
			if (!verifies(jwt)) {
				return "signature does not verify";
			}
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			Object aud = jwt.getPayload().toJSONObject().get("aud");
			Instant now = Instant.now();
			if (!this.clientId.equals(claims.getIssuer()) || !this.clientId.equals(claims.getSubject())) {
				return "iss and sub must be the client id";
			}
			if (!(aud instanceof String) || !aud.equals(this.audience)) {
				return "aud must be the single string " + this.audience + ", was " + aud;
			}
			if (claims.getExpirationTime() == null || claims.getIssueTime() == null
					|| !claims.getExpirationTime().toInstant().isAfter(now.minusSeconds(5))
					|| Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant())
						.compareTo(Duration.ofSeconds(60)) > 0) {
				return "exp must be in the future and at most 60 s after iat";
			}
			if (claims.getJWTID() == null || !this.seenJtis.add(claims.getJWTID())) {
				return "jti replayed or missing";
			}
			this.accepted.add(jwt);
			return null;
		}
		catch (ParseException | JOSEException ex) {
			return "malformed assertion";
		}
	}

	private boolean verifies(SignedJWT jwt) throws JOSEException {
		if (this.secret.length > 0) {
			return jwt.verify(new MACVerifier(this.secret));
		}
		for (JWK key : this.keys) {
			JWSVerifier verifier = KeyType.RSA.equals(key.getKeyType()) ? new RSASSAVerifier(key.toRSAKey())
					: new ECDSAVerifier(key.toECKey());
			if (verifier.supportedJWSAlgorithms().contains(jwt.getHeader().getAlgorithm()) && jwt.verify(verifier)) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, String> parameters(String contentType, String body) {
		Map<String, String> parameters = new HashMap<>();
		if (contentType != null && contentType.startsWith("application/json")) {
			try {
				JSONObjectUtils.parse(body).forEach((name, value) -> parameters.put(name, String.valueOf(value)));
			}
			catch (ParseException ex) {
				parameters.put("malformed", body);
			}
			return parameters;
		}
		for (String pair : body.split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				parameters.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
						URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
		}
		return parameters;
	}

	private static void answer(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		if (bytes.length > 0) {
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(bytes);
			}
		}
	}

}
