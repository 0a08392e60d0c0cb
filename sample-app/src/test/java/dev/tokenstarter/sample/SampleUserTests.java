package dev.tokenstarter.sample;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user part of the sample over HTTP, as a browser drives it: the login page's form signs a demo user in to the
 * demo provider's WSO2-style key manager (password grant, one token of the user's own), the status page's card
 * shows that token masked, the user calls the demo API as themselves, and sign-out revokes the token at the
 * provider. Verdicts come from the demo provider: its API names the token's user, its counters count sign-ins and
 * revocations, and it refuses a revoked token.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "demo.provider.users.carol=carol-password")
class SampleUserTests {

	private static final int PROVIDER_PORT = DemoProviderPort.find();

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	private int port;

	@Autowired
	private TokenManager tokenManager;

	private WebClient app;

	private WebClient provider;

	@DynamicPropertySource
	static void demoProvider(DynamicPropertyRegistry registry) {
		registry.add("demo.provider.port", () -> PROVIDER_PORT);
	}

	@BeforeEach
	void connect() {
		this.app = WebClient.create("http://localhost:" + this.port);
		this.provider = WebClient.create("http://127.0.0.1:" + PROVIDER_PORT);
	}

	@Test
	void servesTheLoginPageAndTheUserCard() {
		ResponseEntity<String> login = this.app.get().uri("/login.html").retrieve().toEntity(String.class).block(TIMEOUT);
		assertThat(login.getBody()).contains("action=\"user/sign-in\"").contains("name=\"password\"");
		assertThat(this.app.get().uri("/").retrieve().bodyToMono(String.class).block(TIMEOUT))
			.contains("href=\"login.html\"")
			.contains("action=\"user/sign-out\"");
		assertThat(this.app.get().uri("/status.js").retrieve().bodyToMono(String.class).block(TIMEOUT))
			.contains("user/me")
			.contains("user/call");
	}

	@Test
	void signedInUserSeesTheirMaskedTokenCallsAsThemselvesAndSignOutRevokesIt() {
		long signInsBefore = userCount("alice", "signIns");
		String session = signIn("alice", "alice-password");
		assertThat(userCount("alice", "signIns")).isEqualTo(signInsBefore + 1);

		String token = this.tokenManager.token(TokenKey.forProvider("wso2").principal("alice").build())
			.block(TIMEOUT)
			.accessToken()
			.getTokenValue();
		ResponseEntity<String> card = this.app.get().uri("/user/me").cookie("SESSION", session)
			.retrieve().toEntity(String.class).block(TIMEOUT);
		assertThat(card.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(card.getBody()).contains("\"user\":\"alice\"").contains("\"provider\":\"wso2\"")
			.contains("\"expiresAt\"").contains("sha256:").doesNotContain(token);

		Map<String, Object> answer = this.app.post().uri("/user/call").cookie("SESSION", session)
			.retrieve().bodyToMono(JSON).block(TIMEOUT);
		assertThat(answer).containsEntry("user", "alice").containsEntry("dialect", "wso2");
		assertThat(userCount("alice", "apiCalls")).isPositive();
		assertThat(apiStatus(token)).isEqualTo(HttpStatus.OK);
		assertThat(userCount("alice", "activeTokens")).isEqualTo(1);

		long revokedBefore = userCount("alice", "tokensRevoked");
		ResponseEntity<Void> signedOut = this.app.post().uri("/user/sign-out").cookie("SESSION", session)
			.retrieve().toBodilessEntity().block(TIMEOUT);
		assertThat(signedOut.getStatusCode()).isEqualTo(HttpStatus.SEE_OTHER);
		assertThat(userCount("alice", "tokensRevoked")).isGreaterThan(revokedBefore);
		assertThat(userCount("alice", "activeTokens")).isZero();
		assertThat(apiStatus(token)).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(status(this.app.get().uri("/user/me").cookie("SESSION", session))).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(status(this.app.post().uri("/user/call").cookie("SESSION", session)))
			.isEqualTo(HttpStatus.UNAUTHORIZED);
	}

	@Test
	void twoUsersHoldTokensOfTheirOwn() {
		String alice = signIn("alice", "alice-password");
		String bob = signIn("bob", "bob-password");
		assertThat(this.app.post().uri("/user/call").cookie("SESSION", bob).retrieve().bodyToMono(JSON).block(TIMEOUT))
			.containsEntry("user", "bob");
		assertThat(this.app.post().uri("/user/call").cookie("SESSION", alice).retrieve().bodyToMono(JSON).block(TIMEOUT))
			.containsEntry("user", "alice");
		this.app.post().uri("/user/sign-out").cookie("SESSION", bob).retrieve().toBodilessEntity().block(TIMEOUT);
		this.app.post().uri("/user/sign-out").cookie("SESSION", alice).retrieve().toBodilessEntity().block(TIMEOUT);
	}

	@Test
	void afterTheProviderRevokedEveryTokenACallAsSelfSignsInAgainWithThePasswordHeld() {
		String session = signIn("carol", "carol-password");
		assertThat(userCount("carol", "signIns")).isEqualTo(1);
		this.provider.post().uri("/demo/revoke-all").retrieve().toBodilessEntity().block(TIMEOUT);
		assertThat(userCount("carol", "activeTokens")).isZero();
		assertThat(this.app.post().uri("/user/call").cookie("SESSION", session).retrieve().bodyToMono(JSON)
			.block(TIMEOUT)).containsEntry("user", "carol");
		assertThat(userCount("carol", "signIns")).isEqualTo(2);
		assertThat(userCount("carol", "activeTokens")).isEqualTo(1);
		this.app.post().uri("/user/sign-out").cookie("SESSION", session).retrieve().toBodilessEntity().block(TIMEOUT);
	}

	@Test
	void aWrongPasswordGoesBackToTheLoginPageWithoutASession() {
		ResponseEntity<Void> refused = postForm("mallory", "guess");
		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SEE_OTHER);
		assertThat(refused.getHeaders().getLocation()).hasToString("/login.html?error");
		assertThat(refused.getHeaders().getFirst(HttpHeaders.SET_COOKIE)).isNull();
		assertThat(userCount("mallory", "signIns")).isZero();
		assertThat(status(this.app.get().uri("/user/me"))).isEqualTo(HttpStatus.UNAUTHORIZED);
	}

	private String signIn(String username, String password) {
		ResponseEntity<Void> signedIn = postForm(username, password);
		assertThat(signedIn.getStatusCode()).isEqualTo(HttpStatus.SEE_OTHER);
		assertThat(signedIn.getHeaders().getLocation()).hasToString("/");
		String setCookie = signedIn.getHeaders().getFirst(HttpHeaders.SET_COOKIE);
		assertThat(setCookie).startsWith("SESSION=");
		return setCookie.substring("SESSION=".length(), setCookie.indexOf(';'));
	}

	private ResponseEntity<Void> postForm(String username, String password) {
		return this.app.post()
			.uri("/user/sign-in")
			.body(BodyInserters.fromFormData("username", username).with("password", password))
			.retrieve()
			.toBodilessEntity()
			.block(TIMEOUT);
	}

	private HttpStatus apiStatus(String token) {
		return status(this.provider.get().uri("/api/hello").headers((headers) -> headers.setBearerAuth(token)));
	}

	private static HttpStatus status(WebClient.RequestHeadersSpec<?> request) {
		return request.exchangeToMono((response) -> response.releaseBody()
			.thenReturn(HttpStatus.valueOf(response.statusCode().value()))).block(TIMEOUT);
	}

	@SuppressWarnings("unchecked")
	private long userCount(String user, String count) {
		Map<String, Object> stats = this.provider.get().uri("/demo/stats").retrieve().bodyToMono(JSON).block(TIMEOUT);
		Map<String, Map<String, Number>> users = (Map<String, Map<String, Number>>) stats.get("users");
		return users.containsKey(user) ? users.get(user).get(count).longValue() : 0;
	}

}
