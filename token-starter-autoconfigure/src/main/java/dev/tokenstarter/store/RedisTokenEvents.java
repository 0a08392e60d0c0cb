package dev.tokenstarter.store;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.MessageListener;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;

import dev.tokenstarter.config.RegistrationNames;

/**
 * Tells this instance, within milliseconds, what other instances saved or removed: the store's scripts announce
 * every change on a Redis channel, with the sealed tokens, so a new token reaches every near cache without a
 * read. Re-subscribes when Redis answers again after an outage.
 */
public class RedisTokenEvents implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisTokenEvents.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RTopic topic;

	private final RedisEntryCodec entries;

	private final RedisKeys keys;

	private final String instanceId;

	private final Consumer<OAuth2AuthorizedClient> onSaved;

	private final BiConsumer<String, String> onRemoved;

	private final @Nullable RedisAuthorizedClientService store;

	private final MessageListener<String> listener = (channel, message) -> handle(message);

	/**
	 * The newest message of each entry whose token is still being opened, by its place in the channel's order. A
	 * save's token is opened asynchronously (a DPoP-bound token's key is read from Redis), while a removal is
	 * applied at once: a removal that came after a save could otherwise be applied first and the save's token
	 * taken up after it, a session served after its sign-out. An opened token is taken up only while its message
	 * is still the newest of its entry; a removal or a later save of the entry drops it. Holds an entry only while
	 * its token is being opened.
	 */
	private final Map<String, Long> opening = new ConcurrentHashMap<>();

	private final AtomicLong received = new AtomicLong();

	/**
	 * Redisson re-subscribes by itself once Redis is back after an outage; that is the first sign Redis answers
	 * again, even when no token needs renewing, so it ends degraded mode (and lets pending tokens be written back).
	 */
	private final StatusListener subscriptions = new StatusListener() {

		@Override
		public void onSubscribe(String channel) {
			RedisTokenEvents.this.availability.succeeded();
		}

		@Override
		public void onUnsubscribe(String channel) {
		}

	};

	private final RedisAvailability availability;

	private volatile boolean running;

	private volatile @Nullable Integer subscriptionsId;

	public RedisTokenEvents(RedissonClient redisson, RedisEntryCodec entries, RedisKeys keys,
			RedisAvailability availability, String instanceId, Consumer<OAuth2AuthorizedClient> onSaved,
			BiConsumer<String, String> onRemoved) {
		this(redisson, entries, keys, availability, instanceId, onSaved, onRemoved, null);
	}

	/**
	 * Creates the events of a fleet whose store is this starter's.
	 * @param redisson the Redis client
	 * @param entries opens the sealed tokens of the messages
	 * @param keys the channel's name
	 * @param availability whether Redis answers
	 * @param instanceId this instance's id, whose own messages are skipped
	 * @param onSaved told each token another instance saved
	 * @param onRemoved told each entry another instance removed
	 * @param store the store, told the version each save announces so that its removals reach the tokens this
	 * instance took up; may be null
	 */
	public RedisTokenEvents(RedissonClient redisson, RedisEntryCodec entries, RedisKeys keys,
			RedisAvailability availability, String instanceId, Consumer<OAuth2AuthorizedClient> onSaved,
			BiConsumer<String, String> onRemoved, @Nullable RedisAuthorizedClientService store) {
		this.store = store;
		this.topic = redisson.getTopic(keys.channel(), StringCodec.INSTANCE);
		this.entries = entries;
		this.keys = keys;
		this.instanceId = instanceId;
		this.onSaved = onSaved;
		this.onRemoved = onRemoved;
		this.availability = availability;
		availability.onRecovery(() -> {
			if (this.running) {
				subscribe();
			}
		});
	}

	/**
	 * Subscribes, and prepares the codec in the background, as the first token of a cold start reaches this
	 * instance by change message (or this instance writes it) and should not wait for the codec to be built.
	 */
	@Override
	public void start() {
		this.running = true;
		subscribe();
		Mono.fromRunnable(this.entries::warmUp)
			.subscribeOn(Schedulers.boundedElastic())
			.subscribe(null, (ex) -> logger.warn("Could not prepare the token codec (" + ex.getMessage()
					+ "); the first token will"));
	}

	/**
	 * Removes this class's own listeners only: the fleet lock listens on the same channel for releases.
	 */
	@Override
	public void stop() {
		this.running = false;
		this.topic.removeListenerAsync(this.listener);
		Integer subscriptionsId = this.subscriptionsId;
		if (subscriptionsId != null) {
			this.topic.removeListenerAsync(subscriptionsId);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void subscribe() {
		Integer previousSubscriptionsId = this.subscriptionsId;
		this.topic.removeListenerAsync(this.listener)
			.thenCompose((ignored) -> (previousSubscriptionsId != null)
					? this.topic.removeListenerAsync(previousSubscriptionsId) : CompletableFuture.completedFuture(null))
			.thenCompose((ignored) -> this.topic.addListenerAsync(String.class, this.listener))
			.thenCompose((ignored) -> this.topic.addListenerAsync(this.subscriptions))
			.whenComplete((id, failure) -> {
				if (id != null) {
					this.subscriptionsId = id;
				}
				if (failure != null) {
					this.availability.failed("subscribe", failure);
					logger.warn("Could not subscribe to token changes of other instances (" + failure.getMessage()
							+ "); retrying when Redis answers again");
				}
			});
	}

	@SuppressWarnings("unchecked")
	private void handle(String message) {
		Object parsed;
		try {
			parsed = JSON.readValue(message, Object.class);
		}
		catch (JacksonException ex) {
			parsed = null;
		}
		if (!(parsed instanceof Map<?, ?> map)) {
			logger.warn("Ignoring a malformed token change message");
			return;
		}
		Map<String, Object> event = (Map<String, Object>) map;
		String registrationId = text(event, "registrationId");
		String principal = text(event, "principal");
		if (this.instanceId.equals(event.get("instance")) || registrationId == null || principal == null) {
			return;
		}
		if (!RegistrationNames.isValid(registrationId)) {
			// No entry of this starter's is named so (an earlier version's, or anyone who can publish, may say so).
			logger.warn("Ignoring a token change of registration '" + printable(registrationId) + "': "
					+ RegistrationNames.RULE);
			return;
		}
		String data = text(event, "data");
		RedisAuthorizedClientService store = this.store;
		String entry = this.keys.entry(registrationId, principal);
		if (data == null) {
			// Under the entry's lock in the map, so that a save's token opened meanwhile is taken up before the
			// removal or not at all.
			this.opening.compute(entry, (key, newest) -> {
				if (store != null) {
					store.removedElsewhere(registrationId, principal);
				}
				this.onRemoved.accept(registrationId, principal);
				return null;
			});
			return;
		}
		Long version = version(registrationId, text(event, "version"));
		if (store != null && version != null) {
			store.announced(registrationId, principal, version);
		}
		long place = this.received.incrementAndGet();
		this.opening.put(entry, place);
		this.entries.decode(entry, registrationId, principal, data)
			.subscribe((client) -> takeUp(entry, place, client, version), (ex) -> {
				this.opening.remove(entry, place);
				logger.warn("Ignoring a token change of registration '" + printable(registrationId) + "': "
						+ ex.getMessage());
			}, () -> this.opening.remove(entry, place));
	}

	private void takeUp(String entry, long place, OAuth2AuthorizedClient client, @Nullable Long version) {
		this.opening.computeIfPresent(entry, (key, newest) -> {
			if (newest == place) {
				RedisAuthorizedClientService store = this.store;
				if (store != null && version != null) {
					store.tookUp(client, version);
				}
				this.onSaved.accept(client);
				return null;
			}
			return newest;
		});
	}

	private static @Nullable Long version(String registrationId, @Nullable String announced) {
		if (announced == null) {
			return null;
		}
		try {
			return Long.parseLong(announced);
		}
		catch (NumberFormatException ex) {
			logger.warn("Ignoring the version of a token change of registration '" + printable(registrationId)
					+ "': it is not a number");
			return null;
		}
	}

	/**
	 * Anyone who can publish on the channel chooses the registration a message names: it is logged on one line.
	 */
	private static String printable(String text) {
		return text.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", "?");
	}

	private static @Nullable String text(Map<String, Object> event, String name) {
		return (event.get(name) instanceof String value) ? value : null;
	}

}
