package dev.tokenstarter.lock;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.redisson.api.RTopicReactive;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;

import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisKeys;

/**
 * Wakes this instance's lock waiters when a holder anywhere in the fleet releases the lock they wait for: a
 * release publishes the lock's name on one channel ({@link RedisKeys#lockReleases()}), so an instance needs one
 * subscription however many locks it waits for, and Redisson keeps it across failovers. A message can still be
 * lost (published while this instance re-subscribes), so waiters also try again at short intervals.
 */
final class LockReleases {

	private static final Log logger = LogFactory.getLog(LockReleases.class);

	private final RTopicReactive topic;

	private final RedisAvailability availability;

	/** Each waiter's wake-up, with the name of the lock it waits for. */
	private final Map<CompletableFuture<Void>, String> waiters = new ConcurrentHashMap<>();

	private final AtomicBoolean subscribed = new AtomicBoolean();

	LockReleases(RedissonReactiveClient redis, RedisKeys keys, RedisAvailability availability) {
		this.topic = redis.getTopic(keys.lockReleases(), StringCodec.INSTANCE);
		this.availability = availability;
	}

	/**
	 * Registers a waiter for the lock named {@code lockName}.
	 * @return completes when a release of that lock is announced; pass it to {@link #forget} when done waiting
	 */
	CompletableFuture<Void> listen(String lockName) {
		subscribe();
		CompletableFuture<Void> released = new CompletableFuture<>();
		this.waiters.put(released, lockName);
		return released;
	}

	/**
	 * Ends a waiter's registration.
	 */
	void forget(CompletableFuture<Void> released) {
		this.waiters.remove(released);
	}

	/**
	 * Subscribes on the first wait, not at start-up, so an instance that never waits for another never subscribes;
	 * a failed subscription is tried again on the next wait.
	 */
	private void subscribe() {
		if (this.subscribed.compareAndSet(false, true)) {
			this.topic.addListener(String.class, (channel, lockName) -> released(lockName))
				.subscribe(null, (ex) -> {
					this.subscribed.set(false);
					logger.warn("Could not subscribe to lock releases (" + ex.getMessage()
							+ "); waiters try the lock at short intervals until a later wait subscribes");
					this.availability.failed("subscribe", ex);
				});
		}
	}

	private void released(String lockName) {
		this.waiters.forEach((waiter, name) -> {
			if (name.equals(lockName)) {
				waiter.complete(null);
			}
		});
	}

}
