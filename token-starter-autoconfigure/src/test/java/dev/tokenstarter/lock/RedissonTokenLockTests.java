package dev.tokenstarter.lock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisKeys;
import dev.tokenstarter.test.OtherRedisCommands;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.SlowReadsProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet lock's own mechanics against a real Redis: how a waiter learns that the lock is free, that a release
 * never removes another holder's lock, and how a grant the master check refuses is given back.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedissonTokenLockTests {

	private static final String KEY = "acme:app:1";

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final RedisKeys keys = new RedisKeys("token-starter-test:");

	private final String lockName = this.keys.lock(KEY);

	private RedissonClient client;

	@BeforeEach
	void connect() {
		this.client = connect(redis.server().url());
	}

	@AfterEach
	void disconnect() {
		this.client.shutdown();
	}

	@Test
	void aWaiterFindsTheLockFreeSoonEvenWhenTheReleaseMessageIsLost() {
		// Another holder's lock with a long lease, removed without a message, as when the message is published
		// while this instance re-subscribes after a failover.
		holdAsAnotherInstance();
		RedissonTokenLock lock = lock(Duration.ofSeconds(10), Duration.ofSeconds(5));
		AtomicLong workStart = new AtomicLong();
		long refusedBefore = redis.server().calls("pttl");
		CompletableFuture<String> waiter = lock.withLock(KEY, () -> Mono.fromSupplier(() -> {
			workStart.set(System.nanoTime());
			return "mine";
		})).toFuture();
		awaitRefused(refusedBefore);
		long freed = System.nanoTime();
		redis.server().command("DEL", this.lockName);
		assertThat(waiter.join()).isEqualTo("mine");
		// A waiter that listens for releases pauses a second at most between attempts.
		assertThat(Duration.ofNanos(workStart.get() - freed)).isLessThan(Duration.ofMillis(1500));
	}

	@Test
	void waitersServedWhileTheHolderWorksLeaveWithoutTakingTheLockInTurn() {
		holdAsAnotherInstance();
		List<String> outcomes = new CopyOnWriteArrayList<>();
		AtomicReference<@Nullable String> holdersToken = new AtomicReference<>();
		AtomicInteger worked = new AtomicInteger();
		long refusedBefore = redis.server().calls("pttl");
		List<CompletableFuture<String>> waiters = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys,
					new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofSeconds(20), Duration.ofSeconds(30),
					Duration.ofSeconds(2), recording(outcomes));
			waiters.add(lock.withLock(KEY, () -> Mono.fromSupplier(() -> {
				worked.incrementAndGet();
				return "renewed";
			}), () -> Mono.justOrEmpty(holdersToken.get())).toFuture());
		}
		// Every waiter found the lock held at least once (the refused attempt reads the holder's lease).
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.server().calls("pttl") - refusedBefore >= 10);
		// The holder's token reaches the waiters (by change message, in the engine), then the holder releases.
		holdersToken.set("holders-token");
		redis.server().command("DEL", this.lockName);
		announceRelease();
		assertThat(waiters).allSatisfy((waiter) -> assertThat(waiter.join()).isEqualTo("holders-token"));
		assertThat(worked).hasValue(0);
		assertThat(outcomes).hasSize(10).containsOnly("served");
		assertThat(exists()).isEqualTo("0");
	}

	@Test
	void aWaiterWhoseServedCheckFailsKeepsWaitingOnTheLockInsteadOfFallingBackToItsLocalLock() {
		holdAsAnotherInstance();
		List<String> outcomes = new CopyOnWriteArrayList<>();
		RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO);
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys, availability,
				Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(2), recording(outcomes));
		long refusedBefore = redis.server().calls("pttl");
		// The check reads the token store, which fails while a failover is under way.
		CompletableFuture<String> waiter = lock.withLock(KEY, () -> Mono.just("renewed"),
				() -> Mono.<String>error(new IllegalStateException("store read failed"))).toFuture();
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.server().calls("pttl") - refusedBefore >= 2);
		assertThat(waiter).isNotDone();
		assertThat(availability.isDegraded()).isFalse();
		redis.server().command("DEL", this.lockName);
		announceRelease();
		assertThat(waiter.join()).isEqualTo("renewed");
		assertThat(outcomes).containsExactly("acquired");
	}

	@Test
	void aHolderAnnouncesItsReleaseWithTheLocksNameOnTheChangeChannelAndOnTheEarlierVersionsChannel() {
		List<String> announced = new CopyOnWriteArrayList<>();
		this.client.getTopic(this.keys.channel(), StringCodec.INSTANCE)
			.addListener(String.class, (channel, message) -> announced.add(message));
		List<String> announcedToEarlierVersions = new CopyOnWriteArrayList<>();
		this.client.getTopic(this.keys.lockReleases(), StringCodec.INSTANCE)
			.addListener(String.class, (channel, name) -> announcedToEarlierVersions.add(name));
		lock(Duration.ofSeconds(1), Duration.ofSeconds(5)).withLock(KEY, () -> Mono.just("done"))
			.block(Duration.ofSeconds(5));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> !announced.isEmpty() && !announcedToEarlierVersions.isEmpty());
		assertThat(announced).singleElement()
			.satisfies((message) -> assertThat(message).startsWith(LockReleases.PREFIX))
			.satisfies((message) -> assertThat(JsonMapper.builder().build().readTree(message).get("released").asString())
				.isEqualTo(this.lockName));
		assertThat(announcedToEarlierVersions).containsExactly(this.lockName);
		assertThat(redis.server().command("EXISTS", this.lockName)).containsExactly("0");
	}

	@Test
	void anAnnouncedReleaseWakesOnlyTheWaitersOfThatLock() {
		LockReleases releases = new LockReleases(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO));
		CompletableFuture<Void> thisLock = releases.listen(this.lockName);
		CompletableFuture<Void> otherLock = releases.listen(this.keys.lock("other"));
		await().atMost(Duration.ofSeconds(5)).until(releases::isListening);
		announceRelease();
		await().atMost(Duration.ofSeconds(5)).until(thisLock::isDone);
		assertThat(otherLock).isNotDone();
		releases.forget(thisLock);
		releases.forget(otherLock);
	}

	/**
	 * At a cold start of a whole fleet, every instance's first wait comes at the same moment: a subscription made
	 * then would be made by all at once, just when the release is needed. The lock listens from the start, on the
	 * channel the store's change messages already use, so an instance holds one subscription in all
	 * ({@code FleetColdStartTests}).
	 */
	@Test
	void anInstanceListensForReleasesFromTheStartOnTheChangeChannel() {
		RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO);
		new RedissonTokenLock(this.client.reactive(), this.keys, availability, Duration.ofSeconds(5),
				Duration.ofSeconds(30), Duration.ofSeconds(2), LockObserver.NONE);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> "1".equals(redis.server().command("PUBSUB", "NUMSUB", this.keys.channel()).get(1)));
		assertThat(redis.server().command("PUBSUB", "CHANNELS")).containsExactly(this.keys.channel());
	}

	/**
	 * A waiter that hears releases does not need to poll the lock often: it polls to bound a lost message only.
	 */
	@Test
	void aWaiterThatListensForReleasesTriesTheHeldLockAboutOnceASecond() {
		holdAsAnotherInstance();
		RedissonTokenLock lock = lock(Duration.ofSeconds(3), Duration.ofSeconds(30));
		long refusedBefore = redis.server().calls("pttl");
		long start = System.nanoTime();
		assertThat(lock.withLock(KEY, () -> Mono.just("mine")).block(Duration.ofSeconds(10))).isEqualTo("mine");
		long refused = redis.server().calls("pttl") - refusedBefore;
		// The first attempt comes before the subscription is confirmed; from then on one attempt each 0.5 to 1 s.
		assertThat(refused).isBetween(3L, 1 + Duration.ofNanos(System.nanoTime() - start).toMillis() / 500);
	}

	@Test
	void aHolderWhoseLeaseRanOutDoesNotRemoveTheNextHoldersLock() {
		RedissonTokenLock shortLease = lock(Duration.ofSeconds(1), Duration.ofMillis(500));
		CompletableFuture<String> late = shortLease
			.withLock(KEY, () -> Mono.delay(Duration.ofMillis(1500)).thenReturn("late"))
			.toFuture();
		await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(exists()));
		await().atMost(Duration.ofSeconds(5)).until(() -> "0".equals(exists()));
		CompletableFuture<String> next = lock(Duration.ofSeconds(1), Duration.ofSeconds(30))
			.withLock(KEY, () -> Mono.delay(Duration.ofSeconds(3)).thenReturn("next"))
			.toFuture();
		await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(exists()));
		String nextHolder = holder();
		assertThat(late.join()).isEqualTo("late");
		assertThat(next).isNotDone();
		assertThat(holder()).isEqualTo(nextHolder);
		assertThat(next.join()).isEqualTo("next");
	}

	@Test
	void aGrantTheMasterCheckRefusesIsGivenBackAndTriedAgainUnderANewHolder() {
		String serverRunId = runId();
		List<String> checkedRunIds = new CopyOnWriteArrayList<>();
		List<String> grantedHolders = new CopyOnWriteArrayList<>();
		RedissonTokenLock lock = lock(Duration.ofSeconds(5), Duration.ofSeconds(30));
		// Refuses the first two grants, as during a switchover; the check also confirms each release, when the
		// lock is already gone.
		lock.setMasterCheck((runId) -> Mono.fromSupplier(() -> {
			checkedRunIds.add(runId);
			String holder = holder();
			if (holder == null) {
				return true;
			}
			grantedHolders.add(holder);
			return grantedHolders.size() > 2;
		}));
		assertThat(lock.withLock(KEY, () -> Mono.just("mine")).block(Duration.ofSeconds(10))).isEqualTo("mine");
		assertThat(grantedHolders).hasSize(3).doesNotHaveDuplicates();
		assertThat(checkedRunIds).containsOnly(serverRunId);
		assertThat(exists()).isEqualTo("0");
	}

	@Test
	void aRenewalAheadOfExpiryDoesNotWaitWhileTheMasterCheckRefuses() {
		List<String> outcomes = new CopyOnWriteArrayList<>();
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofSeconds(5), Duration.ofSeconds(30),
				Duration.ofSeconds(2), recording(outcomes));
		lock.setMasterCheck((runId) -> Mono.just(false));
		assertThat(lock.withLockIfFree(KEY, () -> Mono.just("renewed"), () -> Mono.just("kept"))
			.block(Duration.ofSeconds(5))).isEqualTo("kept");
		assertThat(outcomes).containsExactly("busy");
		// Given back at once, not left to block the fleet for its lease.
		await().atMost(Duration.ofSeconds(5)).until(() -> "0".equals(exists()));
	}

	@Test
	void withoutAMasterCheckTheScriptsDoNotAskForTheServersRunId() {
		long before = redis.server().calls("info");
		lock(Duration.ofSeconds(1), Duration.ofSeconds(5)).withLock(KEY, () -> Mono.just("done"))
			.block(Duration.ofSeconds(5));
		// The count includes the INFO that read it the first time, not any from the lock's scripts.
		assertThat(redis.server().calls("info")).isEqualTo(before + 1);
	}

	@Test
	void aLockAttemptThatTimesOutWhileRedisAnswersOtherCommandsTriesAgainInsteadOfLockingLocally() {
		List<String> outcomes = new CopyOnWriteArrayList<>();
		RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(5), Duration.ofMillis(500));
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys, availability,
				Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMillis(500), recording(outcomes));
		OtherRedisCommands reads = OtherRedisCommands.answeredFor(redis.server().url(), availability);
		// Scripts wait while reads are answered, as when Redis or this machine is busy: the lock's commands time
		// out while the store's reads keep succeeding (and tell the availability so, as the store does).
		List<String> failures = new CopyOnWriteArrayList<>();
		availability.onFailure(failures::add);
		await().until(() -> reads.answers() > 0);
		redis.server().command("CLIENT", "PAUSE", "1500", "WRITE");
		try {
			String result = lock.withLock(KEY, () -> Mono.just("renewed")).block(Duration.ofSeconds(20));

			assertThat(result).isEqualTo("renewed");
			assertThat(reads.answers()).isPositive();
			assertThat(availability.isDegraded()).as("degraded after %s, %s reads, outcomes %s", failures,
					reads.answers(), outcomes).isFalse();
			assertThat(outcomes).contains("slow").doesNotContain("local").last().isEqualTo("acquired");
		}
		finally {
			reads.close();
		}
	}

	/**
	 * An attempt whose waiter gave up (its answer timed out, or the waiter was cancelled) may still run in Redis
	 * after the waiter gave the lock back: sent again by Redisson on another connection, or held up on a busy
	 * one. Nobody holds such a lock, so it must not keep the fleet from renewing for a whole lease.
	 */
	@Test
	void anAttemptThatRunsAfterItsWaiterGaveUpKeepsTheFleetWaitingNoLongerThanAClaim() {
		List<String> outcomes = new CopyOnWriteArrayList<>();
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofSeconds(10),
				Duration.ofSeconds(30), Duration.ofMillis(500), recording(outcomes));
		lock.attempt(this.lockName, "gave-up").block(Duration.ofSeconds(5));
		assertThat(holder()).isEqualTo("gave-up");

		assertThat(lock.withLock(KEY, () -> Mono.just("renewed")).block(Duration.ofSeconds(20))).isEqualTo("renewed");
		assertThat(outcomes).containsExactly("acquired");
	}

	/**
	 * A release lost on its way to Redis (the network failed for longer than Redisson sends a command again)
	 * leaves the lock in Redis: for the rest of its lease, no instance of the fleet could renew the key, though
	 * its holder is done.
	 */
	@Test
	void aReleaseLostOnItsWayIsSentAgainOnceRedisCanBeReached() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redis.server().port(), (command) -> false)) {
			RedissonClient throughProxy = connectWithQuickRetries(proxy.url());
			try {
				List<String> failures = new CopyOnWriteArrayList<>();
				RedissonTokenLock lock = holdThenCut(throughProxy, proxy, failures);
				// Redisson sends a script again up to eight times, 300 ms apart here (a 250 ms wait for the answer,
				// then 50 ms), the last within 0.7 s of its caller giving up: the release is lost once those are over.
				await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
				assertThat(holder()).as("the lock after its release was lost").isNotNull();
				proxy.mend();

				// Well within the 30 s lease, which alone would end the lock otherwise.
				await().atMost(Duration.ofSeconds(10)).until(() -> holder() == null);
				assertThat(lock.isDegraded()).isFalse();
			}
			finally {
				throughProxy.shutdown();
			}
		}
	}

	/**
	 * A key names whose token it is (a user's name, for a user's key): logs name the provider only.
	 */
	@Test
	void aWaitThatRunsOutIsLoggedWithoutWhoseTokenItIs(CapturedOutput output) {
		holdAsAnotherInstance();
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofMillis(300),
				Duration.ofSeconds(30), Duration.ofSeconds(2), LockObserver.NONE);
		assertThat(lock.withLock(KEY, () -> Mono.just("alone")).block(Duration.ofSeconds(10))).isEqualTo("alone");
		assertThat(output).contains("another instance's renewal of a token of provider 'acme'; renewing without")
			.doesNotContain("app:1");
	}

	/**
	 * A lock asked for while Redis was down, and taken once it answers again (a renewal built during an outage,
	 * subscribed after it): the fleet's lock, not this instance's own.
	 */
	@Test
	void aLockAskedForDuringAnOutageAndTakenAfterItIsTheFleetsLock() {
		List<String> outcomes = new CopyOnWriteArrayList<>();
		RedisAvailability availability = new RedisAvailability(Duration.ofMinutes(1), Duration.ZERO);
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys, availability,
				Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(2), recording(outcomes));
		availability.failed("test", new IllegalStateException("Redis cannot be reached"));
		Mono<String> renewal = lock.withLock(KEY, () -> Mono.fromCallable(this::holder));
		availability.succeeded();

		assertThat(renewal.block(Duration.ofSeconds(10))).as("the holder in Redis during the work").isNotNull();
		assertThat(outcomes).containsExactly("acquired");
	}

	/**
	 * The network failing just after the extension of a granted lock reached Redis: the lock stands there for a
	 * whole lease, though its would-be holder, finding Redis gone, renews under its local lock. It must be given
	 * back once Redis can be reached, or every other instance waits out the lease.
	 */
	@Test
	void aLockWhoseExtensionsAnswerWasLostIsGivenBackOnceRedisCanBeReached() throws NoSuchAlgorithmException {
		AtomicReference<@Nullable SlowReadsProxy> cutOnExtension = new AtomicReference<>();
		// Redisson sends a script it has loaded by its SHA-1.
		String extension = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-1").digest(RedissonTokenLock.EXTEND.getBytes(StandardCharsets.UTF_8)));
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redis.server().port(), (command) -> {
			SlowReadsProxy armed = cutOnExtension.get();
			if (armed != null && command.contains(extension)) {
				// Cut once the extension is on its way to Redis: it runs there, and its answer is lost.
				armed.cut();
			}
			return false;
		})) {
			RedissonClient throughProxy = connectWithQuickRetries(proxy.url());
			try {
				RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(1), Duration.ZERO);
				RedissonTokenLock lock = new RedissonTokenLock(throughProxy.reactive(), this.keys, availability,
						Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(2), LockObserver.NONE);
				// Once without a cut, so that Redis has the scripts: the extension then runs where it arrives.
				lock.withLock(KEY, () -> Mono.just("renewed")).block(Duration.ofSeconds(10));
				cutOnExtension.set(proxy);

				assertThat(lock.withLock(KEY, () -> Mono.just("renewed alone")).block(Duration.ofSeconds(10)))
					.isEqualTo("renewed alone");
				assertThat(lock.isDegraded()).isTrue();
				assertThat(Long.parseLong(redis.server().command("PTTL", this.lockName).get(0)))
					.as("the extension ran in Redis").isGreaterThan(Duration.ofSeconds(20).toMillis());
				cutOnExtension.set(null);
				proxy.mend();

				// Well within the 30 s lease, which alone would end the lock otherwise.
				await().atMost(Duration.ofSeconds(10)).until(() -> holder() == null);
			}
			finally {
				throughProxy.shutdown();
			}
		}
	}

	@Test
	void aLostReleaseIsNotSentAgainOnceTheClientIsShutDown() {
		try (SlowReadsProxy proxy = SlowReadsProxy.to(redis.server().port(), (command) -> false)) {
			RedissonClient throughProxy = connectWithQuickRetries(proxy.url());
			List<String> failures = new CopyOnWriteArrayList<>();
			holdThenCut(throughProxy, proxy, failures);
			throughProxy.shutdown();
			int failed = failures.size();
			proxy.mend();

			// Two rounds of sending again (the availability's 1 s retry interval and a pause each): a release still
			// sent after the shut-down would fail each time. One sending may have been under way at the shut-down.
			await().pollDelay(Duration.ofMillis(2500)).until(() -> true);
			assertThat(failures).hasSizeLessThanOrEqualTo(failed + 1);
			assertThat(holder()).isNotNull();
		}
	}

	/**
	 * Takes the lock through the proxy and cuts the network while holding it, once its lease stands, so that
	 * the release is lost; returns once it has failed.
	 */
	private RedissonTokenLock holdThenCut(RedissonClient throughProxy, SlowReadsProxy proxy, List<String> failures) {
		RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(1), Duration.ZERO);
		availability.onFailure(failures::add);
		RedissonTokenLock lock = new RedissonTokenLock(throughProxy.reactive(), this.keys, availability,
				Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(2), LockObserver.NONE);
		Long leaseLeft = lock.withLock(KEY, () -> Mono.fromCallable(() -> {
			long left = Long.parseLong(redis.server().command("PTTL", this.lockName).get(0));
			proxy.cut();
			return left;
		})).block(Duration.ofSeconds(10));
		assertThat(leaseLeft).isGreaterThan(Duration.ofSeconds(25).toMillis());
		await().atMost(Duration.ofSeconds(10)).until(() -> failures.contains("unlock"));
		return lock;
	}

	/**
	 * An observer that records the outcome of each wait for the lock.
	 */
	private static LockObserver recording(List<String> outcomes) {
		return new LockObserver() {

			@Override
			public void lockWaited(String key, String outcome, long nanos) {
				outcomes.add(outcome);
			}

		};
	}

	/**
	 * Connects with Redisson sending a command again within a second of its first sending (its own default
	 * spreads the sendings over up to ten seconds), so that a cut outlasts them soon.
	 */
	private static RedissonClient connectWithQuickRetries(String url) {
		Config config = new Config();
		config.useSingleServer().setAddress(url).setRetryDelay(new ConstantDelay(Duration.ofMillis(50)));
		return Redisson.create(config);
	}

	private static RedissonClient connect(String url) {
		Config config = new Config();
		config.useSingleServer().setAddress(url);
		return Redisson.create(config);
	}

	@Test
	void aHolderKeepsTheLockForItsWholeLease() {
		RedissonTokenLock lock = new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofSeconds(10),
				Duration.ofSeconds(30), Duration.ofMillis(500), LockObserver.NONE);
		Long leftWhileWorking = lock
			.withLock(KEY, () -> Mono.fromCallable(() -> Long.valueOf(redis.server().command("PTTL", this.lockName).get(0))))
			.block(Duration.ofSeconds(10));
		assertThat(leftWhileWorking).isGreaterThan(Duration.ofSeconds(25).toMillis());
	}

	@Test
	void aWaiterCancelledBeforeTheLockIsFreeLeavesNoLockBehind() {
		holdAsAnotherInstance();
		long refusedBefore = redis.server().calls("pttl");
		Disposable waiter = lock(Duration.ofSeconds(10), Duration.ofSeconds(30)).withLock(KEY, () -> Mono.just("mine"))
			.subscribe();
		awaitRefused(refusedBefore);
		waiter.dispose();
		redis.server().command("DEL", this.lockName);
		// Longer than a waiter's pause between attempts: a waiter still trying would take the lock meanwhile.
		await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).until(() -> "0".equals(exists()));
	}

	private RedissonTokenLock lock(Duration wait, Duration lease) {
		return new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), wait, lease, Duration.ofSeconds(2), LockObserver.NONE);
	}

	@Test
	void anInstanceStillOnRedissonsLockAndThisLockExcludeEachOther() {
		// What instances of the previous version, on Redisson's RLock, take during a rolling upgrade.
		RLock previousVersion = this.client.getLock(this.lockName);
		previousVersion.lock(30, TimeUnit.SECONDS);
		RedissonTokenLock lock = lock(Duration.ofSeconds(5), Duration.ofSeconds(30));
		assertThat(lock.withLockIfFree(KEY, () -> Mono.just("renewed"), () -> Mono.just("kept"))
			.block(Duration.ofSeconds(5))).isEqualTo("kept");
		previousVersion.unlock();
		assertThat(lock.withLock(KEY, () -> this.client.reactive().getLock(this.lockName).tryLock())
			.block(Duration.ofSeconds(10))).isFalse();
	}

	private void holdAsAnotherInstance() {
		redis.server().command("HSET", this.lockName, "another-instance", "1");
		redis.server().command("PEXPIRE", this.lockName, "60000");
	}

	private @Nullable String holder() {
		List<String> holders = redis.server().command("HKEYS", this.lockName);
		return holders.isEmpty() ? null : holders.get(0);
	}

	/**
	 * Waits until a waiter found the lock held: a refused attempt reads the holder's lease.
	 */
	private void awaitRefused(long refusedBefore) {
		await().atMost(Duration.ofSeconds(5)).until(() -> redis.server().calls("pttl") > refusedBefore);
	}

	/**
	 * Announces the lock's release as a holder does.
	 */
	private void announceRelease() {
		redis.server().command("PUBLISH", this.keys.channel(),
				LockReleases.PREFIX + "\"" + this.lockName + "\"}");
	}

	private String exists() {
		return redis.server().command("EXISTS", this.lockName).get(0);
	}

	private static String runId() {
		String info = redis.server().command("INFO", "server").get(0);
		return info.lines()
			.filter((line) -> line.startsWith("run_id:"))
			.map((line) -> line.substring("run_id:".length()))
			.findFirst()
			.orElseThrow();
	}

}
