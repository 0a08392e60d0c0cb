package dev.tokenstarter.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A token endpoint and an API as strict about DPoP proofs (RFC 9449) as Keycloak, plus the nonces Keycloak does
 * not send. Every request must carry exactly one {@code DPoP} proof: {@code typ} {@code dpop+jwt}, ES256 or
 * RS256, a public {@code jwk} in the header that verifies the signature, {@code htm} the request's method,
 * {@code htu} the request's URL without query, {@code iat} within a minute of now, a {@code jti} never seen, and,
 * when nonces are required, the server's current nonce. A client assertion in a token request is spent before
 * the nonce is checked, and refused when sent again. The token endpoint ({@code POST /token}) issues tokens
 * of type DPoP bound to the proof's key (its RFC 7638 thumbprint, as {@code cnf.jkt} would); every other path is
 * the API, which wants {@code Authorization: DPoP <token>} with a proof of the token's key carrying {@code ath}.
 * Refusals are counted and explained; tests judge from the counters.
 */
public final class DpopVerifyingServer implements AutoCloseable {

	public static final String TOKEN_PATH = "/token";

	/** RFC 7009 revocation, checked as the token endpoint is: proof, client assertion, nonce. */
	public static final String REVOKE_PATH = "/revoke";

	private static final Duration IAT_WINDOW = Duration.ofSeconds(60);

	private final HttpServer server;

	private final Set<String> seenJtis = ConcurrentHashMap.newKeySet();

	private final Set<String> spentAssertions = ConcurrentHashMap.newKeySet();

	/** Issued token to the thumbprint of the key it is bound to. */
	private final Map<String, String> boundTokens = new ConcurrentHashMap<>();

	private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());

	private final List<SignedJWT> tokenProofs = Collections.synchronizedList(new ArrayList<>());

	private final List<SignedJWT> apiProofs = Collections.synchronizedList(new ArrayList<>());

	private final List<String> apiBodies = Collections.synchronizedList(new ArrayList<>());

	private final List<String> revoked = Collections.synchronizedList(new ArrayList<>());

	private final AtomicInteger tokens = new AtomicInteger();

	private final AtomicInteger tokenNonceChallenges = new AtomicInteger();

	private final AtomicInteger apiNonceChallenges = new AtomicInteger();

	private final AtomicInteger nonceCounter = new AtomicInteger();

	private final Deque<Integer> failures = new ConcurrentLinkedDeque<>();

	private volatile boolean requireNonces;

	private volatile boolean rotateNonceOnEveryAnswer;

	private volatile boolean challengeEveryApiCall;

	private volatile String nonce = "n-0";

	private volatile String issuedTokenType = "DPoP";

	private DpopVerifyingServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	public static DpopVerifyingServer start() {
		try {
			return new DpopVerifyingServer();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** Proofs must carry the current nonce; one without it gets a nonce challenge with a new nonce. */
	public DpopVerifyingServer requiringNonces() {
		this.requireNonces = true;
		return this;
	}

	/** Every successful answer carries a new nonce in DPoP-Nonce, which the next proof must carry. */
	public DpopVerifyingServer rotatingNonces() {
		this.rotateNonceOnEveryAnswer = true;
		return this;
	}

	/**
	 * The API challenges every call for a new nonce, as a balancer's nodes do that each keep nonces of their own.
	 */
	public DpopVerifyingServer challengingEveryApiCall() {
		this.requireNonces = true;
		this.challengeEveryApiCall = true;
		return this;
	}

	/** Issues tokens of this type instead of DPoP, as a server that ignores the proof does. */
	public DpopVerifyingServer issuing(String tokenType) {
		this.issuedTokenType = tokenType;
		return this;
	}

	/** The next token requests are answered with these statuses, once each, after their proof was checked. */
	public void failNext(int... statuses) {
		for (int status : statuses) {
			this.failures.add(status);
		}
	}

	/** Changes the nonce, as a server does when its nonce expires. */
	public void changeNonce() {
		this.nonce = "n-" + this.nonceCounter.incrementAndGet();
	}

	public int tokensIssued() {
		return this.tokens.get();
	}

	public int tokenNonceChallenges() {
		return this.tokenNonceChallenges.get();
	}

	public int apiNonceChallenges() {
		return this.apiNonceChallenges.get();
	}

	public List<String> refusals() {
		synchronized (this.refusals) {
			return List.copyOf(this.refusals);
		}
	}

	public List<SignedJWT> tokenProofs() {
		synchronized (this.tokenProofs) {
			return List.copyOf(this.tokenProofs);
		}
	}

	/** The bodies of the API calls the server accepted, in the order it accepted them. */
	public List<String> apiBodies() {
		synchronized (this.apiBodies) {
			return List.copyOf(this.apiBodies);
		}
	}

	public List<SignedJWT> apiProofs() {
		synchronized (this.apiProofs) {
			return List.copyOf(this.apiProofs);
		}
	}

	/** The tokens revoked, in the order the server took their revocations. */
	public List<String> revoked() {
		synchronized (this.revoked) {
			return List.copyOf(this.revoked);
		}
	}

	/** The thumbprint of the key a token was bound to, or null when it was never issued. */
	public String boundKey(String token) {
		return this.boundTokens.get(token);
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			byte[] body = exchange.getRequestBody().readAllBytes();
			String path = exchange.getRequestURI().getPath();
			boolean revocation = path.equals(REVOKE_PATH);
			boolean tokenRequest = path.equals(TOKEN_PATH) || revocation;
			String authorization = exchange.getRequestHeaders().getFirst("Authorization");
			String accessToken = null;
			if (!tokenRequest) {
				if (authorization == null || !authorization.startsWith("DPoP ")) {
					refuse(exchange, false, "the API needs Authorization: DPoP, got "
							+ ((authorization != null) ? authorization.split(" ")[0] : "none"));
					return;
				}
				accessToken = authorization.substring("DPoP ".length());
			}
			List<String> proofs = exchange.getRequestHeaders().get("DPoP");
			if (proofs == null || proofs.size() != 1) {
				refuse(exchange, tokenRequest, "exactly one DPoP proof is required");
				return;
			}
			Verdict verdict = verify(exchange, proofs.get(0), accessToken);
			if (verdict.refusal() != null) {
				refuse(exchange, tokenRequest, verdict.refusal());
				return;
			}
			String assertion = tokenRequest ? formParameter(body, "client_assertion") : null;
			// Client authentication comes first, as at servers that spend an assertion before they look at the
			// proof's nonce: an assertion is good for one request, whatever became of it.
			if (assertion != null && !this.spentAssertions.add(assertion)) {
				this.refusals.add("client assertion reused");
				answer(exchange, 401, "{\"error\":\"invalid_client\",\"error_description\":\"assertion reused\"}");
				return;
			}
			if (this.requireNonces
					&& (!this.nonce.equals(verdict.nonce()) || (!tokenRequest && this.challengeEveryApiCall))) {
				changeNonce();
				exchange.getResponseHeaders().set("DPoP-Nonce", this.nonce);
				if (tokenRequest) {
					this.tokenNonceChallenges.incrementAndGet();
					answer(exchange, 400, "{\"error\":\"use_dpop_nonce\",\"error_description\":\"nonce required\"}");
				}
				else {
					this.apiNonceChallenges.incrementAndGet();
					exchange.getResponseHeaders()
						.set("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\", error_description=\"nonce required\"");
					answer(exchange, 401, "");
				}
				return;
			}
			if (this.rotateNonceOnEveryAnswer) {
				changeNonce();
				exchange.getResponseHeaders().set("DPoP-Nonce", this.nonce);
			}
			Integer failure = (tokenRequest && !revocation) ? this.failures.poll() : null;
			if (failure != null) {
				answer(exchange, failure, "{\"error\":\"temporarily_unavailable\"}");
				return;
			}
			if (revocation) {
				this.revoked.add(formParameter(body, "token"));
				answer(exchange, 200, "");
			}
			else if (tokenRequest) {
				this.tokenProofs.add(verdict.proof());
				String token = "AT-" + this.tokens.incrementAndGet();
				this.boundTokens.put(token, verdict.thumbprint());
				answer(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"" + this.issuedTokenType
						+ "\",\"expires_in\":300}");
			}
			else {
				this.apiProofs.add(verdict.proof());
				this.apiBodies.add(new String(body, StandardCharsets.UTF_8));
				answer(exchange, 200, "{\"ok\":true}");
			}
		}
	}

	private Verdict verify(HttpExchange exchange, String value, String accessToken) {
		try {
			SignedJWT proof = SignedJWT.parse(value);
			if (!new JOSEObjectType("dpop+jwt").equals(proof.getHeader().getType())) {
				return Verdict.refused("typ must be dpop+jwt");
			}
			JWK jwk = proof.getHeader().getJWK();
			if (jwk == null || jwk.isPrivate()) {
				return Verdict.refused("the header must carry the public jwk");
			}
			JWSAlgorithm algorithm = proof.getHeader().getAlgorithm();
			JWSVerifier verifier = (jwk instanceof ECKey ec && JWSAlgorithm.ES256.equals(algorithm))
					? new ECDSAVerifier(ec) : (jwk instanceof RSAKey rsa && JWSAlgorithm.RS256.equals(algorithm))
							? new RSASSAVerifier(rsa) : null;
			if (verifier == null || !proof.verify(verifier)) {
				return Verdict.refused("signature does not verify with the embedded jwk");
			}
			JWTClaimsSet claims = proof.getJWTClaimsSet();
			if (!exchange.getRequestMethod().equals(claims.getStringClaim("htm"))) {
				return Verdict.refused("htm must be " + exchange.getRequestMethod());
			}
			String htu = baseUrl() + exchange.getRequestURI().getRawPath();
			if (!htu.equals(claims.getStringClaim("htu"))) {
				return Verdict.refused("htu must be " + htu + ", was " + claims.getStringClaim("htu"));
			}
			Instant now = Instant.now();
			if (claims.getIssueTime() == null
					|| Duration.between(claims.getIssueTime().toInstant(), now).abs().compareTo(IAT_WINDOW) > 0) {
				return Verdict.refused("iat must be within a minute of now");
			}
			if (claims.getJWTID() == null || !this.seenJtis.add(claims.getJWTID())) {
				return Verdict.refused("jti replayed or missing");
			}
			String thumbprint = jwk.computeThumbprint().toString();
			if (accessToken != null) {
				if (!thumbprint.equals(this.boundTokens.get(accessToken))) {
					return Verdict.refused("the token is not bound to the proof's key");
				}
				if (!sha256(accessToken).equals(claims.getStringClaim("ath"))) {
					return Verdict.refused("ath must be the token's hash");
				}
			}
			else if (claims.getClaim("ath") != null) {
				return Verdict.refused("a token request's proof carries no ath");
			}
			return new Verdict(null, proof, thumbprint, claims.getStringClaim("nonce"));
		}
		catch (ParseException | JOSEException ex) {
			return Verdict.refused("malformed proof");
		}
	}

	private void refuse(HttpExchange exchange, boolean tokenRequest, String refusal) throws IOException {
		this.refusals.add(refusal);
		if (tokenRequest) {
			answer(exchange, 400, "{\"error\":\"invalid_dpop_proof\",\"error_description\":\"" + refusal + "\"}");
			return;
		}
		exchange.getResponseHeaders().set("WWW-Authenticate", "DPoP error=\"invalid_token\"");
		answer(exchange, 401, "");
	}

	private static String formParameter(byte[] body, String name) {
		for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(name)) {
				return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
			}
		}
		return null;
	}

	private static String sha256(String value) {
		try {
			return Base64URL
				.encode(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII)))
				.toString();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
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

	private record Verdict(String refusal, SignedJWT proof, String thumbprint, String nonce) {

		static Verdict refused(String refusal) {
			return new Verdict(refusal, null, null, null);
		}

	}

}
