package dev.tokenstarter.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The stub is as strict as a real provider: credentials, authentication method, grant, password, Nomba's account
 * header, refresh tokens used once, single sessions, expiry; and it fails, revokes and resets as told.
 */
class TokenProviderStubTests {

	private static final StubbedClient BASIC = new StubbedClient("payments", "payments-client", "s3cret/+:",
			"client_secret_basic", "client_credentials", null, null, null, false);

	private static final StubbedClient POST = new StubbedClient("orders", "orders-client", "orders-secret",
			"client_secret_post", "client_credentials", null, null, null, false);

	private static final StubbedClient WSO2 = new StubbedClient("wso2", "wso2-key", "wso2-secret",
			"client_secret_basic", "password", "alice", "alice-password", null, false);

	private static final StubbedClient NOMBA = new StubbedClient("nomba", "nomba-client", "nomba-secret",
			"client_secret_post", "client_credentials", null, null, "parent", true);

	private final HttpClient http = HttpClient.newHttpClient();

	private final TestClock clock = new TestClock();

	private TokenProviderStub stub;

	@BeforeEach
	void start() {
		this.stub = new TokenProviderStub(this.clock, Duration.ofMinutes(5));
		this.stub.start();
		this.stub.serve(List.of(new StubbedProvider("payments", false, false, List.of(BASIC)),
				new StubbedProvider("orders", false, false, List.of(POST)),
				new StubbedProvider("wso2", false, true, List.of(WSO2)),
				new StubbedProvider("nomba", true, true, List.of(NOMBA))));
	}

	@AfterEach
	void stop() {
		this.stub.stop();
	}

	@Test
	void issuesATokenToAClientWithItsCredentials() throws Exception {
		Map<String, Object> token = json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials&scope=a"));

		assertThat(token).containsEntry("token_type", "Bearer").containsEntry("expires_in", 300).containsEntry("scope", "a");
		assertThat(token).doesNotContainKey("refresh_token");
		assertThat(this.stub.isActive((String) token.get("access_token"))).isTrue();
		assertThat(this.stub.tokenRequests()).containsExactly(
				new TokenRequest("payments", "client_credentials", 200, this.clock.instant()));
	}

	@Test
	void refusesAWrongSecretOrAnotherAuthenticationMethod() throws Exception {
		assertThat(json(401, basic("payments", BASIC, "wrong", "grant_type=client_credentials")))
			.containsEntry("error", "invalid_client");
		assertThat(json(401, form("payments", "grant_type=client_credentials&client_id=payments-client"
				+ "&client_secret=s3cret%2F%2B%3A"))).containsEntry("error", "invalid_client");
		assertThat(json(401, form("orders", "grant_type=client_credentials&client_id=orders-client")))
			.containsEntry("error", "invalid_client");
		assertThat(json(200, form("orders", "grant_type=client_credentials&client_id=orders-client"
				+ "&client_secret=orders-secret"))).containsKey("access_token");
		assertThat(this.stub.tokenRequests()).extracting(TokenRequest::status).containsExactly(401, 401, 401, 200);
	}

	@Test
	void refusesAGrantTheClientIsNotConfiguredFor() throws Exception {
		assertThat(json(400, basic("payments", BASIC, "s3cret/+:", "grant_type=password&username=a&password=b")))
			.containsEntry("error", "unauthorized_client");
		assertThat(json(400, basic("payments", BASIC, "s3cret/+:", "grant_type=magic")))
			.containsEntry("error", "unsupported_grant_type");
		assertThat(json(400, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials&scope=a&scope=b")))
			.containsEntry("error", "invalid_request");
	}

	@Test
	void checksThePasswordAndUsesEachRefreshTokenOnce() throws Exception {
		assertThat(json(400, basic("wso2", WSO2, "wso2-secret", "grant_type=password&username=alice&password=x")))
			.containsEntry("error", "invalid_grant");
		Map<String, Object> first = json(200,
				basic("wso2", WSO2, "wso2-secret", "grant_type=password&username=alice&password=alice-password"));
		String refresh = "grant_type=refresh_token&refresh_token=" + first.get("refresh_token");

		Map<String, Object> second = json(200, basic("wso2", WSO2, "wso2-secret", refresh));
		assertThat(json(400, basic("wso2", WSO2, "wso2-secret", refresh))).containsEntry("error", "invalid_grant");
		assertThat(second.get("refresh_token")).isNotNull().isNotEqualTo(first.get("refresh_token"));
		// WSO2 keeps one session per user: the refreshed token ends the first.
		assertThat(this.stub.isActive((String) first.get("access_token"))).isFalse();
		assertThat(this.stub.isActive((String) second.get("access_token"))).isTrue();
	}

	@Test
	void aProviderWithParallelSessionsKeepsEarlierTokens() throws Exception {
		String first = (String) json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"))
			.get("access_token");
		json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"));

		assertThat(this.stub.isActive(first)).isTrue();
	}

	@Test
	void tokensExpireAfterTheirLifetime() throws Exception {
		this.stub.setTokenLifetime(Duration.ofSeconds(30));
		Map<String, Object> token = json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"));
		assertThat(token).containsEntry("expires_in", 30);

		this.clock.advance(Duration.ofSeconds(29));
		assertThat(this.stub.isActive((String) token.get("access_token"))).isTrue();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.stub.isActive((String) token.get("access_token"))).isFalse();
		assertThat(this.stub.apiRejections()).isEqualTo(1);
	}

	@Test
	void speaksNombasDialectAndWantsItsAccountHeader() throws Exception {
		String body = "{\"grant_type\":\"client_credentials\",\"client_id\":\"nomba-client\",\"client_secret\":\"nomba-secret\"}";
		assertThat(json(401, post("nomba/v1/auth/token/issue", "application/json", body, Map.of("accountId", "other"))))
			.containsEntry("code", "01");

		Map<String, Object> issued = json(200,
				post("nomba/v1/auth/token/issue", "application/json", body, Map.of("accountId", "parent")));
		assertThat(issued).containsEntry("code", "00");
		@SuppressWarnings("unchecked")
		Map<String, Object> data = (Map<String, Object>) issued.get("data");
		assertThat(data.get("expiresAt")).isEqualTo(this.clock.instant().plusSeconds(300).atOffset(ZoneOffset.UTC).toString());

		String refresh = "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"" + data.get("refresh_token") + "\"}";
		Map<String, Object> refreshed = json(200,
				post("nomba/v1/auth/token/refresh", "application/json", refresh, Map.of("accountId", "parent")));
		assertThat(json(400, post("nomba/v1/auth/token/refresh", "application/json", refresh, Map.of("accountId", "parent"))))
			.containsEntry("code", "02");
		assertThat(this.stub.isActive((String) data.get("access_token"))).isFalse();

		@SuppressWarnings("unchecked")
		String current = (String) ((Map<String, Object>) refreshed.get("data")).get("access_token");
		json(200, post("nomba/v1/auth/token/revoke", "application/json",
				"{\"clientId\":\"nomba-client\",\"access_token\":\"" + current + "\"}", Map.of("accountId", "parent")));
		assertThat(this.stub.isActive(current)).isFalse();
		assertThat(this.stub.tokenRequests("nomba")).extracting(TokenRequest::grantType, TokenRequest::status)
			.containsExactly(tuple("client_credentials", 401),
					tuple("client_credentials", 200),
					tuple("refresh_token", 200),
					tuple("refresh_token", 400));
	}

	@Test
	void revokesATokenAtTheRevocationEndpoint() throws Exception {
		String token = (String) json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"))
			.get("access_token");
		assertThat(basic("payments/revoke", BASIC, "wrong", "token=" + token).statusCode()).isEqualTo(401);
		assertThat(this.stub.isActive(token)).isTrue();

		assertThat(basic("payments/revoke", BASIC, "s3cret/+:", "token=" + token).statusCode()).isEqualTo(200);
		assertThat(this.stub.isActive(token)).isFalse();
	}

	@Test
	void failsTheNextRequestOnceOrEveryRequestOfAProviderUntilRecovered() throws Exception {
		this.stub.failNext(TokenFailure.serverError());
		assertThat(json(503, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials")))
			.containsEntry("error", "temporarily_unavailable");
		json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"));

		this.stub.failAll("orders", TokenFailure.invalidGrant());
		String orders = "grant_type=client_credentials&client_id=orders-client&client_secret=orders-secret";
		json(400, form("orders", orders));
		json(400, form("orders", orders));
		json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"));
		this.stub.recover();
		json(200, form("orders", orders));
	}

	@Test
	void answersSlowlyWhenTold() throws Exception {
		this.stub.failNext(TokenFailure.slow(Duration.ofMillis(700)));
		long started = System.nanoTime();
		json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"));
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
	}

	@Test
	void refusesAProviderItDoesNotServe() {
		// A misspelt name would otherwise make a failure that never happens, or an empty request list, and a test
		// that passes for the wrong reason.
		assertThatIllegalArgumentException().isThrownBy(() -> this.stub.failNext("payment", TokenFailure.serverError()))
			.withMessageContaining("'payment'")
			.withMessageContaining("payments, orders, wso2, nomba");
		assertThatIllegalArgumentException().isThrownBy(() -> this.stub.failAll("ordres", TokenFailure.serverError()))
			.withMessageContaining("'ordres'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.stub.tokenRequests("wso"))
			.withMessageContaining("'wso'");
	}

	@Test
	void resetForgetsWhatATestDid() throws Exception {
		this.stub.setTokenLifetime(Duration.ofSeconds(10));
		this.stub.failAll(TokenFailure.serverError());
		json(503, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"));
		this.stub.recover();
		String token = (String) json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"))
			.get("access_token");

		this.stub.reset();

		assertThat(this.stub.tokenRequests()).isEmpty();
		assertThat(this.stub.isActive(token)).isFalse();
		this.stub.reset();
		assertThat(this.stub.apiRejections()).isZero();
		assertThat(json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials")))
			.containsEntry("expires_in", 300);
	}

	@Test
	void bearerTokenCheckLetsOnlyActiveTokensThrough() throws Exception {
		WireMockServer api = new WireMockServer(wireMockConfig().dynamicPort().extensions(new BearerTokenCheck()));
		api.start();
		try {
			api.stubFor(get("/orders").willReturn(ok("orders")));
			String token = (String) json(200, basic("payments", BASIC, "s3cret/+:", "grant_type=client_credentials"))
				.get("access_token");
			URI orders = URI.create(api.baseUrl() + "/orders");

			assertThat(send(HttpRequest.newBuilder(orders).build()).statusCode()).isEqualTo(401);
			assertThat(send(HttpRequest.newBuilder(orders).header("Authorization", "Bearer unknown").build())
				.statusCode()).isEqualTo(401);
			assertThat(send(HttpRequest.newBuilder(orders).header("Authorization", "Bearer " + token).build()).body())
				.isEqualTo("orders");
			this.stub.revokeAll();
			HttpResponse<String> rejected = send(
					HttpRequest.newBuilder(orders).header("Authorization", "Bearer " + token).build());
			assertThat(rejected.statusCode()).isEqualTo(401);
			assertThat(rejected.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
			assertThat(this.stub.apiRejections()).isEqualTo(1);
		}
		finally {
			api.stop();
		}
	}

	private HttpResponse<String> basic(String path, StubbedClient client, String secret, String form)
			throws IOException, InterruptedException {
		String credentials = URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8) + ":"
				+ URLEncoder.encode(secret, StandardCharsets.UTF_8);
		return post(path.contains("/") ? path : path + "/token", "application/x-www-form-urlencoded", form,
				Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))));
	}

	private HttpResponse<String> form(String provider, String form) throws IOException, InterruptedException {
		return post(provider + "/token", "application/x-www-form-urlencoded", form, Map.of());
	}

	private HttpResponse<String> post(String path, String contentType, String body, Map<String, String> headers)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.stub.url() + "/" + path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body));
		headers.forEach(request::header);
		return send(request.build());
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> json(int status, HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		return JsonMapper.shared().readValue(response.body(), Map.class);
	}

	private static final class TestClock extends Clock {

		private volatile Instant now = Instant.parse("2026-11-29T12:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
