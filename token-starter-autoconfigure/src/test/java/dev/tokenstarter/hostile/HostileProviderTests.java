package dev.tokenstarter.hostile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Exceptions;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.hostile.BoundedCalls.Call;
import dev.tokenstarter.hostile.HostileCase.Expected;
import dev.tokenstarter.hostile.HostileCase.Kind;
import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token endpoint misbehaving in every way in {@link HostileCases}, seen through the engine and through a real
 * {@code WebClient} and {@code RestClient} from {@link TokenClients}, calling a real API server. For every
 * behaviour:
 * <ul>
 * <li>no token value the engine should refuse reaches the API, and the API only ever sees tokens the provider
 * issued;</li>
 * <li>token requests stay within what one acquisition may cost ({@code retry.max-attempts} when failures are
 * transient) times the acquisitions the failure cooldown allows;</li>
 * <li>once the provider is good again, calls through both clients succeed after one failure cooldown;</li>
 * <li>no call hangs, and a failed acquisition reaches every caller as a {@link TokenAcquisitionException} naming
 * the provider and an OAuth2-style error code, with a short printable message.</li>
 * </ul>
 * One provider server and one API server serve every case; each case resets them and starts a fresh context, so
 * the near cache and the cooldown start empty.
 */
class HostileProviderTests {

	private static final String PROVIDER = "acme";

	private static final String CLIENT_SECRET = "secret-" + PROVIDER;

	private static final int MAX_ATTEMPTS = 2;

	private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);

	/** {@code retry.timeout}: room for a one-second Retry-After and two attempts. */
	private static final Duration RETRY_BUDGET = Duration.ofSeconds(3);

	private static final Duration FAILURE_COOLDOWN = Duration.ofSeconds(1);

	/** Longest any call may take: the retry budget, and a margin for a loaded machine. */
	private static final Duration CALL_BOUND = RETRY_BUDGET.plusSeconds(2);

	private static final Duration WARM_UP_BOUND = Duration.ofSeconds(60);

	/** Provider text in messages is cut short; a message is never an error page. */
	private static final int MAX_MESSAGE_LENGTH = 512;

	private static final IssuedTokens ISSUED = new IssuedTokens();

	private static RawTokenEndpoint provider;

	private static RawTokenEndpoint elsewhere;

	private static ApiStub api;

	private static BoundedCalls calls;

	private final MutableClock clock = MutableClock.startingNow();

	@BeforeAll
	static void startServers() throws IOException {
		provider = new RawTokenEndpoint(ISSUED, HostileCases.good());
		elsewhere = new RawTokenEndpoint(ISSUED, HostileCases.good());
		api = new ApiStub(ISSUED);
		calls = new BoundedCalls(CALL_BOUND);
		warmUp();
	}

	/**
	 * Loads the classes of both clients and the engine once, with time to spare, so that class loading on a busy
	 * machine does not turn the first case's token request into a timeout, or its call into a hang.
	 */
	private static void warmUp() {
		String retry = "token.providers." + PROVIDER + ".retry.";
		try (BoundedCalls patient = new BoundedCalls(WARM_UP_BOUND)) {
			runner(MutableClock.startingNow())
				.withPropertyValues(retry + "request-timeout=" + WARM_UP_BOUND.toSeconds() + "s",
						retry + "timeout=" + WARM_UP_BOUND.toSeconds() + "s")
				.run((context) -> {
					TokenClients clients = context.getBean(TokenClients.class);
					assertAccepted(patient.call(viaWebClient(clients.webClient(PROVIDER), "warm-up WebClient")));
					assertAccepted(patient.call(viaRestClient(clients.restClient(PROVIDER), "warm-up RestClient")));
				});
		}
	}

	@AfterAll
	static void stopServers() throws IOException {
		calls.close();
		api.close();
		elsewhere.close();
		provider.close();
	}

	static Stream<HostileCase> cases() {
		return HostileCases.all("http://localhost:" + elsewhere.port());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void nothingRefusedReachesTheApiNoStormNoHangAndRecoveryWithinOneCooldown(HostileCase hostile) throws IOException {
		ISSUED.clear();
		api.clear();
		provider.reset(hostile.provider());
		elsewhere.reset(HostileCases.good());
		runner(this.clock).run((context) -> {
			TokenManager engine = context.getBean(TokenManager.class);
			TokenClients clients = context.getBean(TokenClients.class);
			WebClient web = clients.webClient(PROVIDER);
			RestClient rest = clients.restClient(PROVIDER);

			Instant hostileStart = this.clock.instant();
			List<Outcome> outcomes = new ArrayList<>();
			outcomes.add(calls.call(viaWebClient(web, "WebClient #1")));
			outcomes.add(calls.call(viaRestClient(rest, "RestClient #1")));
			outcomes.add(calls.call(viaEngine(engine, "engine")));
			outcomes.addAll(calls.concurrently(List.of(viaWebClient(web, "WebClient #2"),
					viaWebClient(web, "WebClient #3"), viaRestClient(rest, "RestClient #2"),
					viaRestClient(rest, "RestClient #3"))));
			int hostileRequests = provider.requests();
			int clientCalls = (int) outcomes.stream().filter((outcome) -> !outcome.engine()).count();
			// Every check of the hostile phase is reported at once: how each caller fared tells a fix where to look.
			SoftAssertions.assertSoftly((softly) -> {
				outcomes.forEach((outcome) -> verify(softly, hostile.expected(), outcome));
				if (hostile.expected().kind() == Kind.REFUSED) {
					softly.assertThat(engine.cachedToken(PROVIDER)).as("token cached from a refused answer").isNull();
				}
				// One acquisition per failure cooldown on the engine's clock (which stands still here: exactly one).
				long cooldowns = Duration.between(hostileStart, this.clock.instant()).toMillis()
						/ FAILURE_COOLDOWN.toMillis();
				int acquisitionsAllowed = (int) (1 + cooldowns);
				softly.assertThat(hostileRequests)
					.as("token requests while the provider misbehaves")
					.isLessThanOrEqualTo(acquisitionsAllowed * hostile.bound().requests(MAX_ATTEMPTS));
				assertOnlyIssuedTokensReachedTheApi(softly, clientCalls);
				softly.assertThat(elsewhere.requests()).as("token requests at the host a redirect named").isZero();
			});

			provider.behave(HostileCases.good());
			this.clock.advance(hostile.recovery(FAILURE_COOLDOWN));
			assertAccepted(calls.call(viaWebClient(web, "WebClient one cooldown later")));
			assertAccepted(calls.call(viaRestClient(rest, "RestClient one cooldown later")));
			assertThat(provider.requests() - hostileRequests).as("token requests to recover")
				.isLessThanOrEqualTo(MAX_ATTEMPTS);
			SoftAssertions.assertSoftly((softly) -> assertOnlyIssuedTokensReachedTheApi(softly, clientCalls + 2));
		});
	}

	private static ApplicationContextRunner runner(Clock clock) {
		String prefix = "token.providers." + PROVIDER + ".";
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
			.withBean(Clock.class, () -> clock)
			.withPropertyValues(prefix + "token-uri=http://127.0.0.1:" + provider.port() + "/token",
					prefix + "client-id=client-" + PROVIDER, prefix + "client-secret=" + CLIENT_SECRET,
					prefix + "base-url=" + api.baseUrl(), prefix + "retry.max-attempts=" + MAX_ATTEMPTS,
					prefix + "retry.initial-backoff=20ms", prefix + "retry.max-backoff=50ms",
					prefix + "retry.request-timeout=" + REQUEST_TIMEOUT.toMillis() + "ms",
					prefix + "retry.timeout=" + RETRY_BUDGET.toMillis() + "ms",
					prefix + "refresh.failure-cooldown=" + FAILURE_COOLDOWN.toMillis() + "ms",
					prefix + "refresh.default-lifetime=" + HostileCases.DEFAULT_LIFETIME.toSeconds() + "s",
					"token.scheduler.enabled=false");
	}

	private static void verify(SoftAssertions softly, Expected expected, Outcome outcome) {
		switch (expected.kind()) {
			case REFUSED -> {
				if (!(outcome.error() instanceof TokenAcquisitionException failure)) {
					softly.fail("%s: expected a TokenAcquisitionException with %s", outcome, expected.errorCode());
					return;
				}
				softly.assertThat(failure.getProvider()).as("%s: provider", outcome).isEqualTo(PROVIDER);
				softly.assertThat(failure.getErrorCode()).as("%s: error code", outcome).isEqualTo(expected.errorCode());
				softly.assertThat(failure.getMessage())
					.as("%s: message", outcome)
					.doesNotContain(CLIENT_SECRET)
					.doesNotContainPattern("\\p{Cntrl}")
					.hasSizeLessThan(MAX_MESSAGE_LENGTH);
			}
			case SERVED -> {
				if (outcome.error() != null) {
					softly.fail("%s: expected the call to get through", outcome);
					return;
				}
				if (outcome.engine()) {
					softly.assertThat(outcome.token()).as("%s: a token the provider issued", outcome)
						.matches(ISSUED::isIssued);
					if (expected.lifetime() != null) {
						softly.assertThat(outcome.lifetime())
							.as("%s: lifetime", outcome)
							.isEqualTo(expected.lifetime());
					}
				}
				else {
					softly.assertThat(outcome.status()).as("%s: status", outcome).isEqualTo(200);
					softly.assertThat(outcome.token()).as("%s: a token the API accepts", outcome)
						.matches(ISSUED::isValid);
				}
			}
			case REJECTED_BY_API -> {
				if (outcome.error() != null) {
					softly.fail("%s: expected the API's 401", outcome);
					return;
				}
				if (outcome.engine()) {
					softly.assertThat(outcome.token()).as("%s: a token the provider issued", outcome)
						.matches(ISSUED::isIssued);
				}
				else {
					softly.assertThat(outcome.status()).as("%s: status", outcome).isEqualTo(401);
				}
			}
		}
	}

	private static void assertAccepted(Outcome outcome) {
		assertThat(outcome.error()).as("%s: expected no error", outcome).isNull();
		assertThat(outcome.status()).as("%s: status", outcome).isEqualTo(200);
		assertThat(outcome.token()).as("%s: a token the API accepts", outcome).matches(ISSUED::isValid);
	}

	/**
	 * Every Authorization header the API received carries a token the provider issued well-formed; and no call
	 * sent more than two requests (the first, and one retry after a 401).
	 */
	private static void assertOnlyIssuedTokensReachedTheApi(SoftAssertions softly, int clientCalls) {
		List<String> received = api.authorizations();
		received.stream()
			.filter((header) -> !header.startsWith("Bearer ") || !ISSUED.isIssued(header.substring("Bearer ".length())))
			.distinct()
			.forEach((header) -> softly.fail("The API received a token the provider never issued: %s",
					header.replaceAll("\\p{Cntrl}", "?")));
		softly.assertThat(received).as("API requests").hasSizeLessThanOrEqualTo(2 * clientCalls);
	}

	private static Call viaWebClient(WebClient web, String label) {
		return new Call(label, () -> {
			try {
				Outcome outcome = web.get()
					.uri(ApiStub.PATH)
					.exchangeToMono((response) -> response.bodyToMono(String.class)
						.defaultIfEmpty("")
						.map((body) -> Outcome.answered(label, response.statusCode().value(), body)))
					.block();
				return (outcome != null) ? outcome
						: Outcome.failed(label, false, new IllegalStateException("completed without a response"));
			}
			catch (RuntimeException ex) {
				return Outcome.failed(label, false, Exceptions.unwrap(ex));
			}
		});
	}

	private static Call viaRestClient(RestClient rest, String label) {
		return new Call(label, () -> {
			try {
				return rest.get()
					.uri(ApiStub.PATH)
					.exchange((request, response) -> Outcome.answered(label, response.getStatusCode().value(),
							new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8)));
			}
			catch (RuntimeException ex) {
				return Outcome.failed(label, false, ex);
			}
		});
	}

	private static Call viaEngine(TokenManager engine, String label) {
		return new Call(label, () -> {
			try {
				ManagedToken token = engine.token(PROVIDER).block();
				return (token != null) ? Outcome.handedOut(label, token)
						: Outcome.failed(label, true, new IllegalStateException("completed without a token"));
			}
			catch (RuntimeException ex) {
				return Outcome.failed(label, true, Exceptions.unwrap(ex));
			}
		});
	}

}
