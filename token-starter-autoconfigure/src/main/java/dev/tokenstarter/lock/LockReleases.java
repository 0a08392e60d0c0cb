package dev.tokenstarter.lock;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RTopicReactive;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.NestedExceptionUtils;

import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisKeys;

/**
 * Wakes this instance's lock waiters when a holder anywhere in the fleet releases the lock they wait for. A
 * release is announced on the channel that already carries the store's change messages ({@link RedisKeys#channel()}),
 * as {@code {"released":"<lock name>"}}, so an instance holds one subscription for both, however many locks it
 * waits for. It is made when the lock is built, not by the first waiter: at a cold start of a whole fleet every
 * instance would otherwise subscribe at the same moment, the moment it needs the answer. Redisson keeps the
 * subscription across failovers. A message can still be lost (published while this instance re-subscribes), so
 * waiters also try again at intervals.
 */
final class LockReleases {

	/**
	 * How a release message begins. The store's change messages never do, so most messages on the channel are
	 * passed over without being parsed.
	 */
	static final String PREFIX = "{\"released\":";

	private static final Log logger = LogFactory.getLog(LockReleases.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RTopicReactive topic;

	/** Each waiter's wake-up, with the name of the lock it waits for. */
	private final Map<CompletableFuture<Void>, String> waiters = new ConcurrentHashMap<>();

	/** Whether a subscription is made or under way. */
	private final AtomicBoolean subscribing = new AtomicBoolean();

	/** Whether Redis confirmed the subscription: until it does, a release may go unheard. */
	private volatile boolean listening;

	LockReleases(RedissonReactiveClient redis, RedisKeys keys, RedisAvailability availability) {
		this.topic = redis.getTopic(keys.channel(), StringCodec.INSTANCE);
		availability.onRecovery(this::subscribe);
		subscribe();
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
	 * Whether releases reach this instance: Redis confirmed the subscription.
	 */
	boolean isListening() {
		return this.listening;
	}

	/**
	 * Subscribes unless subscribed; a failed subscription is tried again on the next wait and when Redis answers
	 * again. Its failure alone does not mark Redis as down: it costs waiters no more than their attempts at
	 * intervals, and whether Redis is there is for those attempts to tell. At a cold start of hundreds of
	 * instances on a starved machine, subscriptions that timed out put instances on their local locks. Made off
	 * the caller's thread: while Redisson has no connection yet, a subscription waits for one, which would hold up
	 * the application's start-up or a waiter's event loop for the connect timeout when Redis is down.
	 */
	private void subscribe() {
		if (this.subscribing.compareAndSet(false, true)) {
			this.topic.addListener(String.class, (channel, message) -> received(message))
				.subscribeOn(Schedulers.boundedElastic())
				.subscribe((id) -> this.listening = true, (ex) -> {
					this.subscribing.set(false);
					// Redisson's reactive proxy wraps what failed in an InvocationTargetException.
					Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
					logger.warn("Could not subscribe to lock releases (" + cause.getClass().getSimpleName() + ": "
							+ cause.getMessage() + "); waiters try the lock at short intervals until a later wait "
							+ "subscribes");
				});
		}
	}

	private void received(String message) {
		if (!message.startsWith(PREFIX)) {
			return;
		}
		String lockName = lockName(message);
		if (lockName == null) {
			logger.warn("Ignoring a malformed lock release message");
			return;
		}
		this.waiters.forEach((waiter, name) -> {
			if (name.equals(lockName)) {
				waiter.complete(null);
			}
		});
	}

	private static @Nullable String lockName(String message) {
		try {
			return (JSON.readValue(message, Map.class).get("released") instanceof String name) ? name : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

}
