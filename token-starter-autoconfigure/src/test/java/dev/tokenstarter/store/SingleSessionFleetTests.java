package dev.tokenstarter.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.SingleSessionProvider;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet against a provider that keeps one session per client, like Nomba and WSO2 API Manager (issue 21):
 * every token the provider issues invalidates the tokens the other instances hold. The fleet must act as one
 * client, one token request per token lifetime, and a Redis outage must not turn into a token storm where each
 * instance's new token makes the others' calls fail and authenticate again.
 *
 * <p>A real-time experiment: three application contexts on one {@code redis-server}, each with 20 callers
 * calling the provider's API through a {@code WebClient} from {@link TokenClients} every 50 ms, 15 s tokens.
 * The verdicts come from the provider stub's counters; the figures are printed one line per phase, each line
 * starting with {@code [single-session]}.
 */
class SingleSessionFleetTests {

	private static final String PROVIDER = "acme";

	private static final Duration LIFETIME = Duration.ofSeconds(15);

	private static final double REFRESH_AHEAD_RATIO = 0.25;

	private static final double JITTER = 0.1;

	/**
	 * The shortest time between two renewals of one token in the fleet: a token turns stale for the first
	 * instance at the earliest when its refresh-ahead window plus the largest jitter is left (15 s × (1 −
	 * 0.25 × 1.1) = 10.875 s). The token's lifetime is counted from its arrival, after it was issued, so two
	 * token requests are at least this far apart.
	 */
	private static final Duration MIN_RENEWAL_PERIOD = Duration
		.ofMillis((long) (LIFETIME.toMillis() * (1 - REFRESH_AHEAD_RATIO * (1 + JITTER))));

	/** Token responses leave this long after the token was issued, as over a network. */
	private static final Duration TOKEN_LATENCY = Duration.ofMillis(100);

	private static final int INSTANCES = 3;

	private static final int CALLERS = 20;

	private static final Duration PACE = Duration.ofMillis(50);

	/** Longer than the longest wait the engine allows a caller, so a caller's failure is the engine's verdict. */
	private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

	/** How long the three instances must keep sending one token for the fleet to count as converged. */
	private static final Duration CONVERGED_FOR = Duration.ofSeconds(2);

	private final SingleSessionProvider session = SingleSessionProvider.clientCredentials(LIFETIME,
			Clock.systemUTC());

	@RegisterExtension
	final WireMockExtension provider = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort()
			.containerThreads(128)
			// Tens of thousands of API calls per test: the stub's counters are the verdicts, a journal would only
			// fill memory.
			.disableRequestJournal()
			.extensions(this.session, this.session.api()))
		.build();

	private final RedisServer redis = RedisServer.start();

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void whileRedisAnswersTheFleetAuthenticatesOncePerTokenLifetimeAndFailsNoCall() throws Throwable {
		this.session.stubOn(this.provider, TOKEN_LATENCY);
		Phase run = experiment(instance(), (fleet) -> List.of(fleet.phase("redis up", Duration.ofSeconds(35))))
			.get(0);
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(run.tokenRequests())
				.as("token requests in %.1f s with Redis up (one, then at most one per %.3f s)",
						run.duration().toMillis() / 1000.0, MIN_RENEWAL_PERIOD.toMillis() / 1000.0)
				.isLessThanOrEqualTo(renewalBound(run));
			softly.assertThat(run.failed()).as("failed calls").isZero();
			softly.assertThat(run.counts().rejectedNewest()).as("newest token sent after it expired").isZero();
		});
	}

	@Test
	void aFleetWithoutItsLockIsCaughtByTheTokenRequestBound() throws Throwable {
		this.session.stubOn(this.provider, TOKEN_LATENCY);
		// A deliberately broken build: the fleet lock runs every renewal at once, on every instance.
		ApplicationContextRunner broken = instance().withBean(TokenLock.class, NoTokenLock::new);
		Phase run = experiment(broken, (fleet) -> List.of(fleet.phase("redis up, no lock", Duration.ofSeconds(15))))
			.get(0);
		assertThat(run.tokenRequests()).as("the token requests of a fleet without a lock exceed the bound")
			.isGreaterThan(renewalBound(run));
	}

	@Test
	void aRedisOutageDoesNotSetOffATokenStormAndTheFleetConvergesWhenRedisIsBack() throws Throwable {
		this.session.stubOn(this.provider, TOKEN_LATENCY);
		List<Phase> phases = experiment(instance(), (fleet) -> {
			Phase warmUp = fleet.phase("warm-up", Duration.ofSeconds(5));
			this.redis.kill();
			Phase outage = fleet.phase("redis down", Duration.ofSeconds(25));
			this.redis.restart();
			Phase back = fleet.phase("redis back", Duration.ofSeconds(10));
			return List.of(warmUp, outage, back);
		});
		Phase outage = phases.get(1);
		Phase back = phases.get(2);
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(outage.tokenRequests())
				.as("token requests during the outage (3, plus 3 per instance)")
				.isLessThanOrEqualTo(3 + 3 * INSTANCES);
			for (Phase phase : phases) {
				softly.assertThat(phase.failedWithOwnTokenLive())
					.as("failed calls of an instance whose own token was the live one (%s)", phase.name())
					.isZero();
				softly.assertThat(phase.counts().rejectedNewest())
					.as("newest token sent after it expired (%s)", phase.name())
					.isZero();
			}
			softly.assertThat(back.convergedAfter())
				.as("time until the three instances send one token once Redis is back")
				.isNotNull()
				.isLessThanOrEqualTo(Duration.ofSeconds(5));
		});
	}

	private ApplicationContextRunner instance() {
		return FleetTestSupport.instance(this.redis, this.provider, Clock.systemUTC())
			// Tells the engine the provider keeps one session per client (issue 21).
			.withPropertyValues("token.providers." + PROVIDER + ".sessions=single",
					"token.providers." + PROVIDER + ".refresh.refresh-ahead-ratio=" + REFRESH_AHEAD_RATIO,
					"token.providers." + PROVIDER + ".refresh.jitter=" + JITTER,
					// As in production: tokens in use are renewed at their stale point even between calls.
					"token.scheduler.enabled=true");
	}

	/**
	 * One token request at the start, then at most one per renewal period, counted from the first request.
	 */
	private int renewalBound(Phase run) {
		List<Instant> requests = this.session.tokenRequestTimes();
		Instant first = requests.isEmpty() ? run.from() : requests.get(0);
		long elapsed = Duration.between(first, run.to()).toMillis();
		return 1 + (int) (elapsed / MIN_RENEWAL_PERIOD.toMillis());
	}

	/**
	 * Starts three instances and their callers, runs the phases, and stops the callers.
	 */
	private List<Phase> experiment(ApplicationContextRunner instance, Experiment phases) throws Throwable {
		List<List<Phase>> result = new ArrayList<>();
		long start = System.nanoTime();
		instance.run((first) -> instance.run((second) -> instance.run((third) -> {
			try (Load load = new Load(List.of(first, second, third))) {
				result.add(phases.run(load));
			}
		})));
		System.out.printf("[single-session] experiment took %.1f s%n", (System.nanoTime() - start) / 1e9);
		return result.get(0);
	}

	@FunctionalInterface
	private interface Experiment {

		List<Phase> run(Load fleet) throws Exception;

	}

	/**
	 * The callers of every instance, and what each of their calls met.
	 */
	private final class Load implements AutoCloseable {

		private final ScheduledExecutorService callers = Executors.newScheduledThreadPool(INSTANCES * CALLERS);

		private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

		private final Queue<Call> calls = new ConcurrentLinkedQueue<>();

		/** Whether the instances all sent the same token, sampled every 20 ms. */
		private final Queue<Sample> samples = new ConcurrentLinkedQueue<>();

		Load(List<AssertableApplicationContext> fleet) {
			for (int i = 0; i < fleet.size(); i++) {
				int instance = i;
				TokenManager tokens = fleet.get(i).getBean(TokenManager.class);
				WebClient api = EngineTestSupport
					.apiClient(SingleSessionFleetTests.this.provider, fleet.get(i).getBean(TokenClients.class),
							PROVIDER)
					.mutate()
					.defaultHeader(SingleSessionProvider.CALLER_HEADER, caller(instance))
					.build();
				for (int c = 0; c < CALLERS; c++) {
					this.callers.scheduleWithFixedDelay(() -> call(instance, tokens, api),
							c * PACE.toMillis() / CALLERS, PACE.toMillis(), TimeUnit.MILLISECONDS);
				}
			}
			this.sampler.scheduleWithFixedDelay(this::sample, 0, 20, TimeUnit.MILLISECONDS);
		}

		/**
		 * Lets the callers run for {@code duration} (the experiment runs on the real clock by design), then
		 * prints and returns what happened meanwhile.
		 */
		Phase phase(String name, Duration duration) throws InterruptedException {
			SingleSessionProvider.Counts before = SingleSessionFleetTests.this.session.counts();
			Instant from = Instant.now();
			Thread.sleep(duration.toMillis());
			Instant to = Instant.now();
			SingleSessionProvider.Counts counts = SingleSessionFleetTests.this.session.counts().minus(before);
			int tokenRequests = SingleSessionFleetTests.this.session.tokenRequestsBetween(from, to);
			List<Call> made = this.calls.stream()
				.filter((call) -> !call.sentAt().isBefore(from) && call.sentAt().isBefore(to))
				.toList();
			List<Call> failed = made.stream().filter((call) -> call.failure() != null).toList();
			int failedWithOwnTokenLive = (int) failed.stream().filter(Call::ownTokenLive).count();
			Map<String, Long> failures = failed.stream()
				.collect(Collectors.groupingBy((call) -> caller(call.instance()) + " " + call.failure(), TreeMap::new,
						Collectors.counting()));
			Phase phase = new Phase(name, from, to, counts, tokenRequests, made.size(), failed.size(),
					failedWithOwnTokenLive, convergedAfter(from, to));
			System.out.println(phase.describe() + (failures.isEmpty() ? "" : " " + failures));
			return phase;
		}

		private void call(int instance, TokenManager tokens, WebClient api) {
			ManagedToken held = tokens.cachedToken(PROVIDER);
			boolean ownTokenLive = held != null
					&& SingleSessionFleetTests.this.session.isLive(held.accessToken().getTokenValue());
			Instant sentAt = Instant.now();
			String failure;
			try {
				HttpStatusCode status = api.get()
					.uri(API_PATH)
					.exchangeToMono((response) -> response.releaseBody().then(Mono.just(response.statusCode())))
					.block(CALL_TIMEOUT);
				failure = (status != null && status.is2xxSuccessful()) ? null : "HTTP " + status;
			}
			catch (RuntimeException ex) {
				failure = ex.getClass().getSimpleName();
			}
			// A session another instance took while the call was on its way fails the call whatever this instance
			// does: only a token still live at the end makes the failure this instance's.
			boolean stillLive = ownTokenLive && SingleSessionFleetTests.this.session.isLive(held.accessToken().getTokenValue());
			this.calls.add(new Call(instance, sentAt, stillLive, failure));
		}

		private void sample() {
			SingleSessionProvider.Api api = SingleSessionFleetTests.this.session.api();
			String token = api.lastTokenSentBy(caller(0));
			boolean agreed = token != null;
			for (int i = 1; i < INSTANCES && agreed; i++) {
				agreed = token.equals(api.lastTokenSentBy(caller(i)));
			}
			this.samples.add(new Sample(Instant.now(), agreed));
		}

		/**
		 * How long after {@code from} the instances started sending one token and kept doing so for
		 * {@link #CONVERGED_FOR}; null if they did not before {@code to}.
		 */
		private @Nullable Duration convergedAfter(Instant from, Instant to) {
			List<Sample> window = this.samples.stream()
				.filter((sample) -> !sample.at().isBefore(from) && sample.at().isBefore(to))
				.toList();
			Instant agreedSince = null;
			for (Sample sample : window) {
				if (!sample.agreed()) {
					agreedSince = null;
				}
				else if (agreedSince == null) {
					agreedSince = sample.at();
				}
				else if (!sample.at().isBefore(agreedSince.plus(CONVERGED_FOR))) {
					return Duration.between(from, agreedSince);
				}
			}
			return null;
		}

		@Override
		public void close() throws InterruptedException {
			this.sampler.shutdownNow();
			this.callers.shutdown();
			if (!this.callers.awaitTermination(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Callers still running after " + CALL_TIMEOUT);
			}
		}

	}

	private static String caller(int instance) {
		return "instance-" + instance;
	}

	/**
	 * One API call of a caller.
	 * @param ownTokenLive whether its instance held the token the provider accepts from the call's start to its
	 * end
	 * @param failure null for a call the API accepted; otherwise the final status or the exception's type
	 */
	private record Call(int instance, Instant sentAt, boolean ownTokenLive, @Nullable String failure) {
	}

	private record Sample(Instant at, boolean agreed) {
	}

	/**
	 * What one phase of an experiment saw.
	 * @param tokenRequests token requests that arrived during the phase
	 * @param counts the provider's counters over the phase
	 * @param convergedAfter how long after the phase began the instances started sending one token (and kept
	 * sending it for {@link #CONVERGED_FOR}); null if they never did
	 */
	private record Phase(String name, Instant from, Instant to, SingleSessionProvider.Counts counts,
			int tokenRequests, int calls, int failed, int failedWithOwnTokenLive, @Nullable Duration convergedAfter) {

		Duration duration() {
			return Duration.between(this.from, this.to);
		}

		String describe() {
			return String.format(
					"[single-session] %s: %.1f s, %d token requests, %d API requests, %d 401s, %d calls, "
							+ "%d failed calls (%d while the instance's own token was live), instances agree after %s",
					this.name, duration().toMillis() / 1000.0, this.tokenRequests, this.counts.apiRequests(),
					this.counts.rejected(), this.calls, this.failed, this.failedWithOwnTokenLive,
					(this.convergedAfter != null) ? String.format("%.1f s", this.convergedAfter.toMillis() / 1000.0)
							: "never");
		}

	}

	/**
	 * A fleet lock that locks nothing: every renewal runs at once.
	 */
	private static final class NoTokenLock implements TokenLock {

		@Override
		public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
			return Mono.defer(work);
		}

	}

}
