package dev.tokenstarter.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.Assert;

/**
 * The stub's token and revocation endpoints, answered as a strict provider would: the client's id, secret and
 * authentication method, its grant, the user's password, Nomba's account header, refresh tokens used once. The
 * token requests are recorded; failures a test asked for replace the answers.
 */
final class TokenEndpoint implements ResponseDefinitionTransformerV2 {

	static final String NAME = "token-provider-stub";

	private static final String CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	private static final Set<String> KNOWN_GRANTS = Set.of("client_credentials", "password", "refresh_token",
			"authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer",
			"urn:ietf:params:oauth:grant-type:token-exchange");

	private static final JsonMapper JSON = JsonMapper.shared();

	private final Clock clock;

	private final Duration defaultLifetime;

	private final IssuedTokens tokens;

	private final Map<String, StubbedProvider> providers = new LinkedHashMap<>();

	private final List<FailureRule> failures = new ArrayList<>();

	private final List<TokenRequest> requests = new ArrayList<>();

	private Duration lifetime;

	private int apiRejections;

	TokenEndpoint(Clock clock, Duration lifetime) {
		Assert.notNull(clock, "clock cannot be null");
		Assert.notNull(lifetime, "lifetime cannot be null");
		this.clock = clock;
		this.defaultLifetime = lifetime;
		this.lifetime = lifetime;
		this.tokens = new IssuedTokens(clock);
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

	@Override
	public ResponseDefinition transform(ServeEvent serveEvent) {
		return answer(serveEvent.getRequest()).build();
	}

	synchronized void serve(List<StubbedProvider> served) {
		served.forEach((provider) -> this.providers.put(provider.path(), provider));
	}

	synchronized Set<String> registrationIds() {
		Set<String> ids = new LinkedHashSet<>();
		this.providers.values().forEach((provider) -> provider.clients().forEach((c) -> ids.add(c.registrationId())));
		return ids;
	}

	synchronized void setLifetime(Duration lifetime) {
		this.lifetime = lifetime;
	}

	synchronized void fail(@Nullable String provider, TokenFailure failure, boolean once) {
		this.failures.add(new FailureRule(provider, failure, once));
	}

	synchronized void recover() {
		this.failures.clear();
	}

	synchronized int revokeAll() {
		return this.tokens.revokeAll();
	}

	synchronized List<TokenRequest> requests() {
		return List.copyOf(this.requests);
	}

	synchronized boolean issued(String accessToken) {
		return this.tokens.issued(accessToken);
	}

	synchronized boolean accepts(String accessToken) {
		boolean active = this.tokens.isActive(accessToken);
		if (!active) {
			this.apiRejections++;
		}
		return active;
	}

	synchronized int apiRejections() {
		return this.apiRejections;
	}

	synchronized void reset() {
		this.lifetime = this.defaultLifetime;
		this.failures.clear();
		this.tokens.revokeAll();
		this.requests.clear();
		this.apiRejections = 0;
	}

	private synchronized ResponseDefinitionBuilder answer(Request request) {
		String path = URI.create(request.getUrl()).getRawPath();
		int slash = path.indexOf('/', 1);
		StubbedProvider provider = (slash > 0) ? this.providers.get(path.substring(1, slash)) : null;
		if (provider == null) {
			return json(404, Map.of("error", "not_found", "error_description", "no provider is stubbed at " + path));
		}
		if (!RequestMethod.POST.equals(request.getMethod())) {
			return json(405, Map.of("error", "invalid_request", "error_description", "token endpoints take POST"));
		}
		String endpoint = path.substring(slash);
		if (provider.nomba()) {
			return switch (endpoint) {
				case StubbedProviders.NOMBA_ISSUE_PATH, StubbedProviders.NOMBA_REFRESH_PATH ->
					token(provider, request, endpoint.equals(StubbedProviders.NOMBA_REFRESH_PATH));
				case StubbedProviders.NOMBA_REVOKE_PATH -> nombaRevoke(provider, request);
				default -> nombaError(404, "404", "no such endpoint");
			};
		}
		return switch (endpoint) {
			case StubbedProviders.TOKEN_PATH -> token(provider, request, false);
			case StubbedProviders.REVOKE_PATH -> revoke(provider, request);
			default -> json(404, Map.of("error", "not_found", "error_description", "no such endpoint"));
		};
	}

	private ResponseDefinitionBuilder token(StubbedProvider provider, Request request, boolean nombaRefresh) {
		Map<String, String> params;
		try {
			params = parameters(request, provider.nomba() || provider.clients().stream().allMatch(StubbedClient::json));
		}
		catch (IllegalArgumentException ex) {
			this.requests.add(new TokenRequest(provider.path(), "", 400, this.clock.instant()));
			return error(provider, 400, "invalid_request", ex.getMessage());
		}
		String grantType = params.getOrDefault("grant_type", "");
		IssuedTokens.Grant refreshed = null;
		StubbedClient client;
		if (nombaRefresh) {
			// Nomba's refresh request names no client: the refresh token does.
			refreshed = "refresh_token".equals(grantType) ? this.tokens.redeem(params.getOrDefault("refresh_token", ""))
					: null;
			client = (refreshed != null) ? refreshed.client() : null;
			if (client == null) {
				return refused(provider.path(), grantType, provider, 400, "invalid_grant",
						"refresh token unknown, used or revoked");
			}
		}
		else {
			client = authenticate(provider, request, params);
			if (client == null) {
				return refused(provider.path(), grantType, provider, 401, "invalid_client",
						"client authentication failed");
			}
		}
		String name = client.registrationId();
		if (client.accountId() != null && !client.accountId().equals(request.getHeader("accountId"))) {
			return refused(name, grantType, provider, 401, "invalid_client", "wrong or missing accountId header");
		}
		TokenFailure failure = failureFor(name);
		if (failure != null && !failure.answersToken()) {
			return refused(name, grantType, provider, failure.status(), failure.error(), "failure asked for by the test");
		}
		String username = null;
		if ("refresh_token".equals(grantType)) {
			if (refreshed == null) {
				refreshed = this.tokens.redeem(params.getOrDefault("refresh_token", ""));
				if (refreshed == null || !refreshed.client().equals(client)) {
					return refused(name, grantType, provider, 400, "invalid_grant",
							"refresh token unknown, used, revoked or another client's");
				}
			}
			username = refreshed.username();
		}
		else if (!grantType.equals(client.grantType())) {
			String error = KNOWN_GRANTS.contains(grantType) ? "unauthorized_client" : "unsupported_grant_type";
			return refused(name, grantType, provider, 400, error, "grant not allowed for this client");
		}
		else if ("password".equals(grantType)) {
			username = params.get("username");
			String password = params.get("password");
			boolean known = (client.username() != null) ? client.username().equals(username)
					&& client.password() != null && client.password().equals(password)
					: username != null && !username.isEmpty() && password != null && !password.isEmpty();
			if (!known) {
				return refused(name, grantType, provider, 400, "invalid_grant", "wrong username or password");
			}
		}
		boolean withRefreshToken = provider.nomba() || "password".equals(grantType)
				|| "refresh_token".equals(grantType);
		IssuedTokens.Issued issued = this.tokens.issue(client, username, this.lifetime, withRefreshToken,
				provider.singleSession());
		this.requests.add(new TokenRequest(name, grantType, 200, this.clock.instant()));
		ResponseDefinitionBuilder answer = provider.nomba() ? nombaToken(issued) : oauth2Token(issued, params);
		return (failure != null) ? answer.withFixedDelay((int) failure.delay().toMillis()) : answer;
	}

	private ResponseDefinitionBuilder oauth2Token(IssuedTokens.Issued issued, Map<String, String> params) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("access_token", issued.accessToken());
		body.put("token_type", "Bearer");
		body.put("expires_in", Math.max(1, Duration.between(this.clock.instant(), issued.expiresAt()).toSeconds()));
		if (issued.refreshToken() != null) {
			body.put("refresh_token", issued.refreshToken());
		}
		if (params.containsKey("scope")) {
			body.put("scope", params.get("scope"));
		}
		return json(200, body);
	}

	private ResponseDefinitionBuilder nombaToken(IssuedTokens.Issued issued) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("access_token", issued.accessToken());
		data.put("refresh_token", issued.refreshToken());
		data.put("expiresAt", OffsetDateTime.ofInstant(issued.expiresAt(), ZoneOffset.UTC).toString());
		data.put("businessId", "stub-business");
		return json(200, Map.of("code", "00", "description", "Success", "data", data));
	}

	/**
	 * RFC 7009: the client authenticates, and the answer is 200 whether or not the token was known.
	 */
	private ResponseDefinitionBuilder revoke(StubbedProvider provider, Request request) {
		Map<String, String> params;
		try {
			params = parameters(request, false);
		}
		catch (IllegalArgumentException ex) {
			return error(provider, 400, "invalid_request", ex.getMessage());
		}
		StubbedClient client = authenticate(provider, request, params);
		if (client == null) {
			return error(provider, 401, "invalid_client", "client authentication failed");
		}
		this.tokens.revoke(client, params.getOrDefault("token", ""));
		return ResponseDefinitionBuilder.responseDefinition().withStatus(200);
	}

	private ResponseDefinitionBuilder nombaRevoke(StubbedProvider provider, Request request) {
		Map<String, String> params;
		try {
			params = parameters(request, true);
		}
		catch (IllegalArgumentException ex) {
			return nombaError(400, "400", ex.getMessage());
		}
		StubbedClient client = provider.client(params.get("clientId"));
		if (client == null || (client.accountId() != null && !client.accountId().equals(request.getHeader("accountId")))) {
			return nombaError(401, "01", "unknown client or account");
		}
		this.tokens.revoke(client, params.getOrDefault("access_token", ""));
		return json(200, Map.of("code", "00", "description", "Success"));
	}

	private @Nullable StubbedClient authenticate(StubbedProvider provider, Request request,
			Map<String, String> params) {
		String authorization = request.getHeader("Authorization");
		if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			if (params.containsKey("client_secret")) {
				return null;
			}
			String[] credentials = basicCredentials(authorization.substring(6).trim());
			StubbedClient client = (credentials != null) ? provider.client(credentials[0]) : null;
			boolean valid = client != null && "client_secret_basic".equals(client.authentication())
					&& credentials[1].equals(client.clientSecret())
					&& (!params.containsKey("client_id") || credentials[0].equals(params.get("client_id")));
			return valid ? client : null;
		}
		String clientId = params.get("client_id");
		String assertion = params.get("client_assertion");
		if (clientId == null && assertion != null) {
			clientId = assertionSubject(assertion);
		}
		StubbedClient client = provider.client(clientId);
		if (client == null) {
			return null;
		}
		boolean valid = switch (client.authentication()) {
			case "client_secret_post" -> client.clientSecret() != null
					&& client.clientSecret().equals(params.get("client_secret"));
			case "none", "tls_client_auth", "self_signed_tls_client_auth" -> !params.containsKey("client_secret");
			case "private_key_jwt", "client_secret_jwt" -> CLIENT_ASSERTION_TYPE.equals(params.get("client_assertion_type"))
					&& assertion != null && client.clientId().equals(assertionSubject(assertion));
			default -> false;
		};
		return valid ? client : null;
	}

	/**
	 * RFC 6749 2.3.1: the id and the secret are form-encoded before they are joined.
	 */
	private static String @Nullable [] basicCredentials(String encoded) {
		try {
			String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
			int colon = decoded.indexOf(':');
			if (colon < 0) {
				return null;
			}
			return new String[] { URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
					URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8) };
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * The subject of a client assertion, which must be the client's id (RFC 7523 3). Its signature is not
	 * checked: the stub holds no keys.
	 */
	private static @Nullable String assertionSubject(String assertion) {
		String[] parts = assertion.split("\\.");
		if (parts.length != 3) {
			return null;
		}
		try {
			Map<?, ?> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
			Object subject = claims.get("sub");
			return (subject instanceof String value && value.equals(claims.get("iss"))) ? value : null;
		}
		catch (IllegalArgumentException | JacksonException ex) {
			return null;
		}
	}

	private static Map<String, String> parameters(Request request, boolean json) {
		String contentType = request.getHeader("Content-Type");
		String body = request.getBodyAsString();
		String expected = json ? "application/json" : "application/x-www-form-urlencoded";
		if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(expected)) {
			throw new IllegalArgumentException("expected " + expected + ", got " + contentType);
		}
		Map<String, String> params = new LinkedHashMap<>();
		if (json) {
			Map<?, ?> object;
			try {
				object = JSON.readValue(body, Map.class);
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException("body is not a JSON object");
			}
			object.forEach((key, value) -> {
				if (value != null) {
					params.put(String.valueOf(key), String.valueOf(value));
				}
			});
			return params;
		}
		for (String pair : body.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			String key = URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
			String value = (equals < 0) ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
			if (params.put(key, value) != null) {
				throw new IllegalArgumentException("parameter " + key + " given twice");
			}
		}
		return params;
	}

	private @Nullable TokenFailure failureFor(String registrationId) {
		for (Iterator<FailureRule> rules = this.failures.iterator(); rules.hasNext();) {
			FailureRule rule = rules.next();
			if (rule.provider() == null || rule.provider().equals(registrationId)) {
				if (rule.once()) {
					rules.remove();
				}
				return rule.failure();
			}
		}
		return null;
	}

	private ResponseDefinitionBuilder refused(String name, String grantType, StubbedProvider provider, int status,
			String error, String description) {
		this.requests.add(new TokenRequest(name, grantType, status, this.clock.instant()));
		return error(provider, status, error, description);
	}

	private static ResponseDefinitionBuilder error(StubbedProvider provider, int status, String error,
			String description) {
		if (provider.nomba()) {
			String code = switch (error) {
				case "invalid_client" -> "01";
				case "invalid_grant" -> "02";
				default -> String.valueOf(status);
			};
			return nombaError(status, code, error + ": " + description);
		}
		return json(status, Map.of("error", error, "error_description", description));
	}

	private static ResponseDefinitionBuilder nombaError(int status, String code, String description) {
		return json(status, Map.of("code", code, "description", description));
	}

	private static ResponseDefinitionBuilder json(int status, Object body) {
		return ResponseDefinitionBuilder.responseDefinition()
			.withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withHeader("Cache-Control", "no-store")
			.withBody(JSON.writeValueAsString(body));
	}

	private record FailureRule(@Nullable String provider, TokenFailure failure, boolean once) {
	}

}
