package dev.tokenstarter.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.SentinelTopology;
import dev.tokenstarter.test.SingleSessionProvider;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fleet against a single-session provider (issue 21) on Redis Sentinel (one master, one replica, three
 * sentinels) while the master fails over: with {@code token.store.redis.timeout} covering the failover, no
 * instance falls back to working alone, no call fails, and the fleet asks for at most one token more than the
 * token lifetimes call for.
 *
 * <p>A real-time experiment like {@link SingleSessionFleetTests}: application contexts on the Sentinel-managed
 * Redis, each with callers calling the provider's API every 50 ms, 15 s tokens. The failover starts just before
 * the fleet's first renewal is due, so the renewal, its lock and its change message meet the failover. The
 * figures are printed one line per phase, each line starting with {@code [single-session sentinel]}.
 */
class SingleSessionSentinelFailoverTests {

	private static final String PROVIDER = "acme";

	private static final String MASTER_NAME = "tokens";

	private static final Duration LIFETIME = Duration.ofSeconds(15);

	private static final double REFRESH_AHEAD_RATIO = 0.25;

	private static final double JITTER = 0.1;

	/**
	 * The shortest time between two renewals of one token in the fleet (see {@link SingleSessionFleetTests}):
	 * 15 s × (1 − 0.25 × 1.1) = 10.875 s.
	 */
	private static final Duration MIN_RENEWAL_PERIOD = Duration
		.ofMillis((long) (LIFETIME.toMillis() * (1 - REFRESH_AHEAD_RATIO * (1 + JITTER))));

	/** How long before the first renewal can be due the failover starts. */
	private static final Duration FAILOVER_LEAD = Duration.ofMillis(500);

	/** Long enough for the failover, the renewal it meets and some calls on the new master. */
	private static final Duration FAILOVER_PHASE = Duration.ofSeconds(10);

	/**
	 * Covers a failover on a loaded two-core machine with room to spare: measured here, the sentinels name the
	 * new master 1.1 s after SENTINEL FAILOVER and 2.1 s after the master dies (one second to notice it), and
	 * every instance has found it (re-subscribed there) within 3 s. Users set this to their own failover time.
	 */
	private static final Duration STORE_TIMEOUT = Duration.ofSeconds(8);

	private static final Duration TOKEN_LATENCY = Duration.ofMillis(100);

	/** Three instances with ten callers each is what the two-core build machine sustains with five Redis processes. */
	private static final int INSTANCES = 3;

	private static final int CALLERS = 10;

	private static final Duration PACE = Duration.ofMillis(50);

	/** Longer than the longest wait the engine allows a caller, so a caller's failure is the engine's verdict. */
	private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

	private final SingleSessionProvider session = SingleSessionProvider.clientCredentials(LIFETIME,
			Clock.systemUTC());

	@RegisterExtension
	final WireMockExtension provider = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort()
			.containerThreads(64)
			// The stub's counters are the verdicts, a journal would only fill memory.
			.disableRequestJournal()
			.extensions(this.session, this.session.api()))
		.build();

	private SentinelTopology topology;

	@BeforeEach
	void startSentinelTopology() {
		// A dead master is noticed after a second instead of the default 30 s, as tuned production setups do, by one
		// sentinel: three noticing together split their votes now and then, and then fail over minutes later.
		this.topology = SentinelTopology.start(MASTER_NAME, Duration.ofSeconds(1));
	}

	@AfterEach
	void stopSentinelTopology() {
		this.topology.close();
	}

	@Test
	void sentinelFailoverCommandUnderLoadFailsNoCallAndCostsAtMostOneExtraToken() throws Throwable {
		Failover failover = experiment("SENTINEL FAILOVER, master killed", () -> {
			// The old master dies as the failover starts, as in RedisSentinelFailoverTests.
			this.topology.failover();
			this.topology.master().kill();
		});
		assertRiddenOut(failover);
	}

	/**
	 * A planned switchover: the old master keeps running and becomes a replica of the new one. Redisson closes
	 * its connections to the old master while replies are pending, and commands there keep succeeding until the
	 * sentinels demote it, so this is a different failover from the killed master's.
	 */
	@Test
	void plannedSwitchoverUnderLoadFailsNoCallAndCostsAtMostOneExtraToken() throws Throwable {
		Failover failover = experiment("SENTINEL FAILOVER, old master left running", this.topology::failover);
		assertRiddenOut(failover);
	}

	@Test
	void killedMasterUnderLoadFailsNoCallAndCostsAtMostOneExtraToken() throws Throwable {
		Failover failover = experiment("master killed, sentinels fail over", () -> this.topology.master().kill());
		assertRiddenOut(failover);
	}

	private void assertRiddenOut(Failover failover) {
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(failover.newMasterAfter()).as("time until the sentinels promoted the replica")
				.isNotNull();
			for (Phase phase : List.of(failover.warmUp(), failover.during())) {
				softly.assertThat(phase.failed()).as("failed calls (%s)", phase.name()).isZero();
				softly.assertThat(phase.counts().rejectedNewest())
					.as("newest token sent after it expired (%s)", phase.name())
					.isZero();
			}
			softly.assertThat(failover.warmUp().tokenRequests())
				.as("token requests while warming up (one authentication for the fleet)")
				.isEqualTo(1);
			softly.assertThat(failover.during().tokenRequests())
				.as("token requests during the failover (%d due by the token lifetimes, plus one)",
						failover.renewalsDue())
				.isLessThanOrEqualTo(failover.renewalsDue() + 1);
			softly.assertThat(failover.redisFailures())
				.as("Redis failures that put an instance in degraded mode")
				.isZero();
		});
	}

	/**
	 * Starts the instances and their callers, lets them run until just before the first renewal is due, starts
	 * the failover, and lets them run through it.
	 */
	private Failover experiment(String name, Runnable trigger) throws Throwable {
		this.session.stubOn(this.provider, TOKEN_LATENCY);
		ApplicationContextRunner instance = instance();
		AtomicReference<Failover> result = new AtomicReference<>();
		long start = System.nanoTime();
		instance.run((first) -> instance.run((second) -> instance.run((third) -> {
			// Before the callers start, so the warm-up counts the first token request.
			Instant loadStarted = Instant.now();
			try (Load load = new Load(List.of(first, second, third))) {
				await().atMost(Duration.ofSeconds(10)).until(() -> this.session.tokenRequests() > 0);
				Instant firstToken = this.session.tokenRequestTimes().get(0);
				Phase warmUp = load.phase("warm-up", loadStarted,
						firstToken.plus(MIN_RENEWAL_PERIOD).minus(FAILOVER_LEAD));
				FailoverWatch watch = new FailoverWatch();
				trigger.run();
				Instant triggered = Instant.now();
				Phase during = load.phase(name, triggered, triggered.plus(FAILOVER_PHASE));
				watch.close();
				long renewalsDue = Duration.between(firstToken, during.to()).toMillis() / MIN_RENEWAL_PERIOD.toMillis()
						- Duration.between(firstToken, during.from()).toMillis() / MIN_RENEWAL_PERIOD.toMillis();
				List<Duration> tokenRequestsAfterStart = this.session.tokenRequestTimes()
					.stream()
					.filter((time) -> !time.isBefore(during.from()) && time.isBefore(during.to()))
					.map((time) -> Duration.between(during.from(), time))
					.toList();
				Failover failover = new Failover(warmUp, during, (int) renewalsDue, tokenRequestsAfterStart,
						load.redisFailures(), watch.newMasterAfter(), watch.fleetSubscribedAfter());
				System.out.println(failover.describe());
				result.set(failover);
			}
		})));
		System.out.printf("[single-session sentinel] experiment took %.1f s%n", (System.nanoTime() - start) / 1e9);
		assertThat(result.get()).as("the experiment ran").isNotNull();
		return result.get();
	}

	private ApplicationContextRunner instance() {
		return FleetTestSupport
			.instance(this.provider, Clock.systemUTC(), this.topology.connectionProperties())
			.withPropertyValues("token.store.redis.timeout=" + STORE_TIMEOUT.toMillis() + "ms",
					// Tells the engine the provider keeps one session per client (issue 21).
					"token.providers." + PROVIDER + ".sessions=single",
					"token.providers." + PROVIDER + ".refresh.refresh-ahead-ratio=" + REFRESH_AHEAD_RATIO,
					"token.providers." + PROVIDER + ".refresh.jitter=" + JITTER,
					"token.scheduler.enabled=true");
	}

	/**
	 * Watches, from the start of a failover, when the sentinels name the replica as master and when every
	 * instance listens for change messages on it (Redisson re-subscribes once it has found the new master).
	 */
	private final class FailoverWatch implements AutoCloseable {

		private final long startNanos = System.nanoTime();

		private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

		private volatile @Nullable Duration newMasterAfter;

		private volatile @Nullable Duration fleetSubscribedAfter;

		private final AtomicInteger unanswered = new AtomicInteger();

		FailoverWatch() {
			this.poller.scheduleWithFixedDelay(this::poll, 0, 20, TimeUnit.MILLISECONDS);
		}

		/**
		 * A server that does not answer one poll (busy with the failover) is asked again by the next: an exception
		 * thrown here would end the polls for good, as a scheduled executor runs no task again once it throws.
		 */
		private void poll() {
			try {
				pollOnce();
			}
			catch (IllegalStateException notAnswered) {
				this.unanswered.incrementAndGet();
			}
		}

		private void pollOnce() {
			SentinelTopology topology = SingleSessionSentinelFailoverTests.this.topology;
			RedisServer promoted = topology.replica();
			Duration elapsed = Duration.ofNanos(System.nanoTime() - this.startNanos);
			if (this.newMasterAfter == null && topology.replicaIsMaster()) {
				this.newMasterAfter = elapsed;
			}
			if (this.fleetSubscribedAfter == null) {
				List<String> subscribers = promoted.command("PUBSUB", "NUMSUB", new RedisKeys("token-starter:").channel());
				if (Integer.parseInt(subscribers.get(1)) >= INSTANCES) {
					this.fleetSubscribedAfter = elapsed;
				}
			}
		}

		@Nullable Duration newMasterAfter() {
			return this.newMasterAfter;
		}

		@Nullable Duration fleetSubscribedAfter() {
			return this.fleetSubscribedAfter;
		}

		@Override
		public void close() {
			this.poller.shutdownNow();
			System.out.println("[single-session sentinel] failover polls a server did not answer: " + this.unanswered);
		}

	}

	/**
	 * The callers of every instance, what each of their calls met, and the Redis failures each instance saw.
	 */
	private final class Load implements AutoCloseable {

		private final ScheduledExecutorService callers = Executors.newScheduledThreadPool(INSTANCES * CALLERS);

		private final Queue<Call> calls = new ConcurrentLinkedQueue<>();

		private final AtomicInteger redisFailures = new AtomicInteger();

		/** The provider's counters, sampled every 20 ms so a phase can start in the past. */
		private final Queue<CountsAt> counts = new ConcurrentLinkedQueue<>();

		private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

		Load(List<AssertableApplicationContext> fleet) {
			for (AssertableApplicationContext context : fleet) {
				// Every failure puts the instance in degraded mode (RedisAvailability.failed): none may happen.
				context.getBean(RedisAvailability.class).onFailure((operation) -> this.redisFailures.incrementAndGet());
				WebClient api = EngineTestSupport.apiClient(SingleSessionSentinelFailoverTests.this.provider,
						context.getBean(TokenClients.class), PROVIDER);
				for (int c = 0; c < CALLERS; c++) {
					this.callers.scheduleWithFixedDelay(() -> call(api), c * PACE.toMillis() / CALLERS,
							PACE.toMillis(), TimeUnit.MILLISECONDS);
				}
			}
			this.sampler.scheduleWithFixedDelay(() -> this.counts.add(new CountsAt(Instant.now(),
					SingleSessionSentinelFailoverTests.this.session.counts())), 0, 20, TimeUnit.MILLISECONDS);
		}

		/** The last counters sampled at or before {@code at}, or none counted yet. */
		private SingleSessionProvider.Counts countsAt(Instant at) {
			SingleSessionProvider.Counts latest = new SingleSessionProvider.Counts(0, 0, 0, 0, 0, 0);
			for (CountsAt sample : this.counts) {
				if (sample.at().isAfter(at)) {
					break;
				}
				latest = sample.counts();
			}
			return latest;
		}

		/**
		 * Lets the callers run until {@code until} (the experiment runs on the real clock by design), then
		 * returns what happened since {@code from}.
		 */
		Phase phase(String name, Instant from, Instant until) throws InterruptedException {
			Thread.sleep(Math.max(0, Duration.between(Instant.now(), until).toMillis()));
			Instant to = Instant.now();
			SingleSessionProvider.Counts counts = SingleSessionSentinelFailoverTests.this.session.counts()
				.minus(countsAt(from));
			int tokenRequests = SingleSessionSentinelFailoverTests.this.session.tokenRequestsBetween(from, to);
			List<Call> made = this.calls.stream()
				.filter((call) -> !call.sentAt().isBefore(from) && call.sentAt().isBefore(to))
				.toList();
			List<String> failures = made.stream().map(Call::failure).filter((failure) -> failure != null).toList();
			return new Phase(name, from, to, counts, tokenRequests, made.size(), failures.size(),
					failures.stream().distinct().sorted().toList());
		}

		int redisFailures() {
			return this.redisFailures.get();
		}

		private void call(WebClient api) {
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
			this.calls.add(new Call(sentAt, failure));
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

	private record CountsAt(Instant at, SingleSessionProvider.Counts counts) {
	}

	/**
	 * One API call of a caller.
	 * @param failure null for a call the API accepted; otherwise the final status or the exception's type
	 */
	private record Call(Instant sentAt, @Nullable String failure) {
	}

	/**
	 * What one phase of an experiment saw.
	 * @param counts the provider's counters over the phase
	 * @param tokenRequests token requests that arrived during the phase
	 * @param failureKinds the distinct failures of the failed calls
	 */
	private record Phase(String name, Instant from, Instant to, SingleSessionProvider.Counts counts,
			int tokenRequests, int calls, int failed, List<String> failureKinds) {

		String describe() {
			return String.format(
					"[single-session sentinel] %s: %.1f s, %d token requests, %d API requests, %d 401s, %d calls, "
							+ "%d failed calls%s",
					this.name, Duration.between(this.from, this.to).toMillis() / 1000.0, this.tokenRequests,
					this.counts.apiRequests(), this.counts.rejected(), this.calls, this.failed,
					this.failureKinds.isEmpty() ? "" : " " + this.failureKinds);
		}

	}

	/**
	 * An experiment's figures.
	 * @param renewalsDue the renewals the token lifetimes call for during the failover phase
	 * @param tokenRequestsAfterStart when the token requests of the failover phase arrived, from its start
	 * @param redisFailures failed Redis commands, on every instance, over the whole experiment
	 * @param newMasterAfter how long after the failover started the sentinels named the new master; null if
	 * they did not during the phase
	 * @param fleetSubscribedAfter how long after the failover started every instance listened for change
	 * messages on the new master; null if they did not during the phase
	 */
	private record Failover(Phase warmUp, Phase during, int renewalsDue, List<Duration> tokenRequestsAfterStart,
			int redisFailures,
			@Nullable Duration newMasterAfter, @Nullable Duration fleetSubscribedAfter) {

		String describe() {
			return this.warmUp.describe() + System.lineSeparator() + this.during.describe() + String.format(
					", %d renewal(s) due, token requests after %s, new master after %s, "
							+ "all instances subscribed on it after %s, %d Redis failures",
					this.renewalsDue,
					this.tokenRequestsAfterStart.stream().map(Failover::seconds).collect(Collectors.joining(", ", "[", "]")),
					seconds(this.newMasterAfter), seconds(this.fleetSubscribedAfter),
					this.redisFailures);
		}

		private static String seconds(@Nullable Duration duration) {
			return (duration != null) ? String.format("%.2f s", duration.toMillis() / 1000.0) : "never";
		}

	}

}
