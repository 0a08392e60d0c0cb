package dev.tokenstarter.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The single-session stub itself, since fleet, outage and hostile tests take their verdicts from it.
 */
class SingleSessionProviderTests {

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\":\"([^\"]+)\"");

	private static final Pattern REFRESH_TOKEN = Pattern.compile("\"refresh_token\":\"([^\"]+)\"");

	private final MutableClock clock = MutableClock.startingNow();

	private final SingleSessionProvider session = SingleSessionProvider.withRotatingRefreshTokens(
			Duration.ofSeconds(15), this.clock);

	@RegisterExtension
	final WireMockExtension server = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().extensions(this.session, this.session.api()))
		.build();

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aNewTokenInvalidatesEveryEarlierOneAndOnlyTheNewestIsAccepted() throws Exception {
		this.session.stubOn(this.server, Duration.ZERO);
		Instant start = this.clock.instant();
		String first = value(ACCESS_TOKEN, token("grant_type=client_credentials"));
		assertThat(api(first)).isEqualTo(200);
		this.clock.advance(Duration.ofSeconds(1));
		String second = value(ACCESS_TOKEN, token("grant_type=client_credentials"));
		assertThat(api(first)).isEqualTo(401);
		assertThat(api(second)).isEqualTo(200);
		assertThat(api(null)).isEqualTo(401);
		assertThat(this.session.isLive(first)).isFalse();
		assertThat(this.session.isLive(second)).isTrue();
		assertThat(this.session.authentications()).isEqualTo(2);
		assertThat(this.session.tokenRequestsBetween(start, start.plusMillis(1))).isEqualTo(1);
		assertThat(this.session.counts()).isEqualTo(new SingleSessionProvider.Counts(2, 2, 0, 2, 2, 0));
	}

	@Test
	void theNewestTokenIsRejectedOnceItExpiresAndCountedAsSuch() throws Exception {
		this.session.stubOn(this.server, Duration.ZERO);
		String token = value(ACCESS_TOKEN, token("grant_type=client_credentials"));
		this.clock.advance(Duration.ofSeconds(15));
		assertThat(api(token)).isEqualTo(401);
		assertThat(this.session.api().rejectedNewest()).isEqualTo(1);
	}

	@Test
	void onlyTheNewestSessionsRefreshTokenRefreshesAndAnyOtherIsAReuse() throws Exception {
		this.session.stubOn(this.server, Duration.ZERO);
		String firstRefresh = value(REFRESH_TOKEN, token("grant_type=client_credentials"));
		String secondRefresh = value(REFRESH_TOKEN, token("grant_type=refresh_token&refresh_token=" + firstRefresh));
		assertThat(status("grant_type=refresh_token&refresh_token=" + firstRefresh)).isEqualTo(400);
		// A new authentication ends the session, so its refresh token is retired too.
		token("{\"grant_type\":\"client_credentials\"}");
		assertThat(status("grant_type=refresh_token&refresh_token=" + secondRefresh)).isEqualTo(400);
		assertThat(this.session.refreshes()).isEqualTo(1);
		assertThat(this.session.reuses()).isEqualTo(2);
		assertThat(this.session.authentications()).isEqualTo(2);
		assertThat(this.session.issued()).isEqualTo(3);
	}

	@Test
	void aTokenIsIssuedBeforeItsResponseLeaves() throws Exception {
		this.session.stubOn(this.server, Duration.ofSeconds(2));
		CompletableFuture<HttpResponse<String>> response = this.http.sendAsync(HttpRequest
			.newBuilder(URI.create(this.server.baseUrl() + TOKEN_PATH))
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
			.build(), HttpResponse.BodyHandlers.ofString());
		await().atMost(Duration.ofSeconds(5)).until(() -> this.session.newestToken() != null);
		// The issued token is the provider's newest while its response is still on the way.
		await().during(Duration.ofMillis(500)).atMost(Duration.ofMillis(1500)).until(() -> !response.isDone());
		assertThat(value(ACCESS_TOKEN, response.get(5, TimeUnit.SECONDS).body()))
			.isEqualTo(this.session.newestToken());
	}

	@Test
	void aCallersLastTokenIsRemembered() throws Exception {
		this.session.stubOn(this.server, Duration.ZERO);
		String token = value(ACCESS_TOKEN, token("grant_type=client_credentials"));
		this.http.send(HttpRequest.newBuilder(URI.create(this.server.baseUrl() + API_PATH))
			.header("Authorization", "Bearer " + token)
			.header(SingleSessionProvider.CALLER_HEADER, "one")
			.build(), HttpResponse.BodyHandlers.discarding());
		assertThat(this.session.api().lastTokenSentBy("one")).isEqualTo(token);
		assertThat(this.session.api().lastTokenSentBy("two")).isNull();
	}

	private String token(String body) throws IOException, InterruptedException {
		HttpResponse<String> response = post(body);
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private int status(String body) throws IOException, InterruptedException {
		return post(body).statusCode();
	}

	private HttpResponse<String> post(String body) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.server.baseUrl() + TOKEN_PATH))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private int api(String token) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.server.baseUrl() + API_PATH));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static String value(Pattern member, String body) {
		Matcher matcher = member.matcher(body);
		assertThat(matcher.find()).as("%s in the token response", member).isTrue();
		return matcher.group(1);
	}

}
