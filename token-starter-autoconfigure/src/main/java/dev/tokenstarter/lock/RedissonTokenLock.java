package dev.tokenstarter.lock;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.redisson.api.RLockReactive;
import org.redisson.api.RedissonReactiveClient;
import reactor.core.publisher.Mono;

import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisKeys;

/**
 * One renewal at a time across the fleet, with a Redisson lock per registration and principal. The lease is
 * fixed (no watchdog): a holder that dies or hangs loses the lock after it, and should it wake up later its
 * write is refused by the store's versioned save.
 *
 * <p>When the wait for the lock runs out, the work runs without it: it re-reads the store first, so it uses the
 * holder's token if one was saved meanwhile, and authenticates on its own otherwise (logged), rather than
 * failing the caller. A renewal ahead of expiry does not wait at all: if another instance holds the lock, its
 * new token will arrive by change message. When Redis is down, a local lock keeps at least this instance to one
 * renewal.
 */
public class RedissonTokenLock implements TokenLock {

	private static final Log logger = LogFactory.getLog(RedissonTokenLock.class);

	private final RedissonReactiveClient redis;

	private final RedisKeys keys;

	private final RedisAvailability availability;

	private final Duration wait;

	private final Duration lease;

	private final Duration timeout;

	private final LockObserver observer;

	private final TokenLock fallback = new LocalTokenLock();

	public RedissonTokenLock(RedissonReactiveClient redis, RedisKeys keys, RedisAvailability availability,
			Duration wait, Duration lease, Duration timeout, LockObserver observer) {
		this.redis = redis;
		this.keys = keys;
		this.availability = availability;
		this.wait = wait;
		this.lease = lease;
		this.timeout = timeout;
		this.observer = observer;
	}

	@Override
	public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
		return lock(key, this.wait, work, () -> {
			logger.warn("Waited " + this.wait + " for another instance's renewal of '" + key
					+ "'; renewing without the lock");
			return work.get();
		});
	}

	@Override
	public <T> Mono<T> withExclusiveLock(String key, Supplier<Mono<T>> work) {
		return lock(key, this.wait, work, () -> {
			logger.info("Waited " + this.wait + " for another instance's renewal of '" + key
					+ "'; waiting again, as the provider keeps a single session per client");
			return withExclusiveLock(key, work);
		});
	}

	@Override
	public boolean isDegraded() {
		return this.availability.isDegraded();
	}

	@Override
	public <T> Mono<T> withLockIfFree(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> otherwise) {
		return lock(key, Duration.ZERO, work, otherwise);
	}

	private <T> Mono<T> lock(String key, Duration waitFor, Supplier<Mono<T>> work, Supplier<Mono<T>> whenHeld) {
		if (!this.availability.shouldTry()) {
			this.observer.lockWaited(key, "local", 0);
			return this.fallback.withLock(key, work);
		}
		return Mono.defer(() -> {
			RLockReactive lock = this.redis.getLock(this.keys.lock(key));
			long holder = ThreadLocalRandom.current().nextLong();
			long start = System.nanoTime();
			return lock.tryLock(waitFor.toMillis(), this.lease.toMillis(), TimeUnit.MILLISECONDS, holder)
				.timeout(waitFor.plus(this.timeout))
				.doOnNext((acquired) -> this.availability.succeeded())
				.map(Acquisition::of)
				.onErrorResume((ex) -> {
					this.availability.failed("lock", ex);
					return Mono.just(Acquisition.REDIS_FAILED);
				})
				.doOnNext((acquisition) -> this.observer.lockWaited(key,
						(acquisition == Acquisition.WAIT_EXPIRED && waitFor.isZero()) ? "busy" : acquisition.outcome,
						System.nanoTime() - start))
				.flatMap((acquisition) -> switch (acquisition) {
					case ACQUIRED -> Mono.usingWhen(Mono.just(lock), (held) -> work.get(),
							(held) -> release(held, holder));
					case WAIT_EXPIRED -> whenHeld.get();
					case REDIS_FAILED -> this.fallback.withLock(key, work);
				});
		});
	}

	/**
	 * Releases the lock; a lease that already ran out is not an error, and a Redis failure only means the lease
	 * ends the lock instead.
	 */
	private Mono<Void> release(RLockReactive lock, long holder) {
		return lock.unlock(holder).timeout(this.timeout).onErrorResume((ex) -> {
			if (!(ex instanceof IllegalMonitorStateException)) {
				this.availability.failed("unlock", ex);
			}
			return Mono.empty();
		});
	}

	private enum Acquisition {

		ACQUIRED("acquired"), WAIT_EXPIRED("timeout"), REDIS_FAILED("local");

		private final String outcome;

		Acquisition(String outcome) {
			this.outcome = outcome;
		}

		static Acquisition of(boolean acquired) {
			return acquired ? ACQUIRED : WAIT_EXPIRED;
		}

	}

}
