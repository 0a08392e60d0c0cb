package dev.tokenstarter.lock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import reactor.core.publisher.Mono;

import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisKeys;
import dev.tokenstarter.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet lock against a real Redis: an exclusive wait (single-session providers) never runs its work beside
 * the holder's, where a plain wait gives up after {@code lock-wait} and works alone.
 */
class RedissonExclusiveLockTests {

	private static final String KEY = "acme:app:1";

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private RedissonClient client;

	private RedissonTokenLock lock;

	private final RedisKeys keys = new RedisKeys("token-starter-test:");

	@BeforeEach
	void connect() {
		Config config = new Config();
		config.useSingleServer().setAddress(redis.server().url());
		this.client = Redisson.create(config);
		this.lock = new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofMillis(300),
				Duration.ofSeconds(5), Duration.ofSeconds(2), LockObserver.NONE);
	}

	@AfterEach
	void disconnect() {
		this.client.shutdown();
	}

	@Test
	void anExclusiveWaiterWaitsPastLockWaitUntilTheHolderIsDone() {
		AtomicLong holderDone = new AtomicLong();
		CompletableFuture<String> holder = holdFor(Duration.ofMillis(1500), holderDone);
		long workStart = this.lock.withExclusiveLock(KEY, () -> Mono.fromSupplier(System::nanoTime))
			.block(Duration.ofSeconds(10));
		assertThat(holder.join()).isEqualTo("holder");
		assertThat(workStart).isGreaterThanOrEqualTo(holderDone.get());
	}

	@Test
	void aPlainWaiterWorksAloneOnceLockWaitRunsOut() {
		AtomicLong holderDone = new AtomicLong();
		CompletableFuture<String> holder = holdFor(Duration.ofMillis(1500), holderDone);
		long workStart = this.lock.withLock(KEY, () -> Mono.fromSupplier(System::nanoTime))
			.block(Duration.ofSeconds(10));
		holder.join();
		assertThat(workStart).isLessThan(holderDone.get());
	}

	@Test
	void anExclusiveWaiterTakesTheLockWhenADeadHoldersLeaseEnds() {
		RedissonTokenLock shortLease = new RedissonTokenLock(this.client.reactive(), this.keys,
				new RedisAvailability(Duration.ofSeconds(5), Duration.ZERO), Duration.ofMillis(300), Duration.ofSeconds(1),
				Duration.ofSeconds(2), LockObserver.NONE);
		// A holder that never finishes, like an instance killed while renewing: only its lease frees the lock.
		shortLease.withLock(KEY, Mono::never).subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.client.getLock(this.keys.lock(KEY)).isLocked());
		long start = System.nanoTime();
		assertThat(this.lock.withExclusiveLock(KEY, () -> Mono.just("mine")).block(Duration.ofSeconds(10)))
			.isEqualTo("mine");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	private CompletableFuture<String> holdFor(Duration duration, AtomicLong done) {
		CompletableFuture<String> holder = this.lock
			.withLock(KEY, () -> Mono.delay(duration).then(Mono.fromSupplier(() -> {
				done.set(System.nanoTime());
				return "holder";
			})))
			.toFuture();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.client.getLock(this.keys.lock(KEY)).isLocked());
		return holder;
	}

}
