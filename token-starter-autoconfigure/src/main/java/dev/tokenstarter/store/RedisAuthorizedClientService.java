package dev.tokenstarter.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.util.Assert;

/**
 * Authorized clients in Redis, shared by every instance. One hash per registration and principal holds a
 * version and the sealed tokens; a save is a compare-and-set on the version this instance last read (a Lua
 * script, which also announces the change on the store's channel), so an instance holding an older view never
 * overwrites a newer token or a rotated refresh token. The entry lives as long as its refresh token, or its
 * access token when it has none.
 *
 * <p>Redis failures never fail the caller: a failed read is a miss, a failed write is kept and written back
 * when Redis answers again if it is still the newer token, and {@link RedisAvailability} keeps the instance off
 * Redis for a while. A token no other instance could send (bound to a DPoP key of this instance's own, see
 * {@link TokenKeyBindings#isShareable}) is neither saved nor written back: the instance holds it alone.
 */
public class RedisAuthorizedClientService implements ReactiveOAuth2AuthorizedClientService, SharedTokenStore {

	private static final Log logger = LogFactory.getLog(RedisAuthorizedClientService.class);

	/** The first pause before writing back again what a round of write-backs left unwritten. */
	private static final Duration WRITE_BACK_RETRY = Duration.ofSeconds(1);

	/** The longest pause before writing back again. */
	private static final Duration WRITE_BACK_RETRY_MAX = Duration.ofMinutes(1);

	private static final String VERSION = "version";

	private static final String DATA = "data";

	/** Marks an entry as the trace of a removal: it holds a version and no token. */
	private static final String REMOVED = "removed";

	/**
	 * How long the trace of a removal lives at least: longer than a renewal based on a read from before the
	 * removal takes (its lock wait, its token request and retries), so that its save finds the trace.
	 */
	private static final Duration REMOVAL_TRACE = Duration.ofMinutes(5);

	/** What the save script answers when the entry was removed since the read a save is based on. */
	private static final long REMOVED_SINCE = -2;

	/** The expected version of a save that replaces whatever is stored. */
	private static final String ANY_VERSION = "*";

	/**
	 * KEYS[1] entry; ARGV expected version ('*' for any: a replacement), data, ttl millis, channel, instance,
	 * registration, principal. Returns the new version, or -1 when the stored version is not the expected one (-2
	 * when what is stored is the trace of a removal).
	 * The trace a removal leaves (see {@link #REMOVE}) has a version of its own, newer than any read before the
	 * removal: a save based on such a read (a renewal of the ended session) is refused, and one based on a read of
	 * the trace, or a replacement (a login), is not. An absent entry takes any save: it expired (an entry without
	 * a refresh token lives as long as its access token). A version is never below Redis's clock in microseconds,
	 * so an entry removed and stored again never takes a version it had before, which a save based on the removed
	 * entry would match. Lua's numbers are doubles, exact to 2^53: microseconds fit until the 23rd century, and
	 * '%.0f' writes them whole.
	 */
	private static final String SAVE = """
			local current = redis.call('HGET', KEYS[1], 'version')
			if current and ARGV[1] ~= '*' and current ~= ARGV[1] then
				if redis.call('HEXISTS', KEYS[1], 'data') == 0 and redis.call('HEXISTS', KEYS[1], 'removed') == 1 then
					return -2
				end
				return -1
			end
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
			local version = math.max((tonumber(current) or tonumber(ARGV[1]) or 0) + 1, now)
			local written = string.format('%.0f', version)
			redis.call('HDEL', KEYS[1], 'removed')
			redis.call('HSET', KEYS[1], 'version', written, 'data', ARGV[2])
			redis.call('PEXPIRE', KEYS[1], ARGV[3])
			redis.call('PUBLISH', ARGV[4], cjson.encode({instance = ARGV[5], registrationId = ARGV[6],
				principal = ARGV[7], version = written, data = ARGV[2]}))
			return version
			""";

	/**
	 * KEYS[1] entry; ARGV newest version the removal knows of ('*' for any), channel, instance, registration,
	 * principal, the trace's least lifetime in millis. Returns 1 when removed, 0 when no token is stored, -1 when
	 * the stored version is newer than that (or not a version): what was stored since is no token the remover
	 * meant. The token is replaced by a trace of the removal, a version and no token, which lives as long as the
	 * entry would have (so it costs Redis no more than the entry did), and at least the given lifetime: a save
	 * based on a read from before the removal finds it and is refused, where an absent entry (which may have
	 * expired) would take it and bring the ended session back to the fleet, whatever the change message that
	 * announced the removal reached.
	 */
	private static final String REMOVE = """
			local current = redis.call('HGET', KEYS[1], 'version')
			if not current or redis.call('HEXISTS', KEYS[1], 'data') == 0 then return 0 end
			if ARGV[1] ~= '*' and not (tonumber(current) and tonumber(current) <= tonumber(ARGV[1])) then
				return -1
			end
			local ttl = redis.call('PTTL', KEYS[1])
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
			local trace = string.format('%.0f', math.max((tonumber(current) or 0) + 1, now))
			redis.call('DEL', KEYS[1])
			redis.call('HSET', KEYS[1], 'version', trace, 'removed', '1')
			redis.call('PEXPIRE', KEYS[1], math.max(ttl, tonumber(ARGV[6])))
			redis.call('PUBLISH', ARGV[2], cjson.encode({instance = ARGV[3], registrationId = ARGV[4],
				principal = ARGV[5], version = current}))
			return 1
			""";

	private final RedissonReactiveClient redis;

	private final RedisEntryCodec entries;

	private final RedisKeys keys;

	private final RedisAvailability availability;

	private final String instanceId;

	private final Duration timeout;

	private final Duration refreshTokenTimeToLive;

	private final Clock clock;

	/**
	 * The versions of each entry this instance knows (see {@link Versions}). Bounded in size and idle time, since
	 * users come and go: a version is needed from a read under the renewal lock to the save after it, and one
	 * dropped meanwhile only costs that save (it fails as stale and the stored token is read again).
	 */
	private final Cache<String, Versions> versions;

	/**
	 * The version each client this instance read or wrote was stored with, by identity, for as long as the client
	 * is in use: a save based on one read (see {@link SharedTokenStore#basedOn}) expects that read's version, which
	 * neither a later read nor an eviction from {@link #versions} changes.
	 */
	private final Cache<OAuth2AuthorizedClient, Long> clientVersions = Caffeine.newBuilder().weakKeys().build();

	/**
	 * Tokens obtained or logins saved while Redis was down, to write back when it answers again. Tokens are
	 * bounded as the versions are, since keys come and go however long the outage lasts (one dropped is obtained
	 * again); logins are not. Each is kept no longer than its entry would live in Redis: a token past that is of no
	 * use to write back.
	 */
	private final Cache<String, PendingWriteBack> writeBacks;

	/** {@link #writeBacks} as a map. */
	private final Map<String, PendingWriteBack> pendingWriteBacks;

	/**
	 * Entries removed while Redis was down (a revoked token, an ended session), to remove when it answers again,
	 * each with the version it had when this instance last saw it: a token another instance stored since stays.
	 * An entry this instance never saw is removed whatever it holds then, a new login of the user stored elsewhere
	 * meanwhile included: a sign-out must stay one, and the user signs in again.
	 */
	private final Map<String, PendingRemoval> pendingRemovals = new ConcurrentHashMap<>();

	/** Rounds of write-backs in a row that left tokens unwritten; the next round waits longer each time. */
	private final AtomicInteger unfinishedWriteBacks = new AtomicInteger();

	private final AtomicBoolean writeBackScheduled = new AtomicBoolean();

	/**
	 * Creates the store.
	 * @param redis the Redis client
	 * @param entries seals and opens entries
	 * @param keys the names of entries and of the change channel
	 * @param availability whether Redis answers
	 * @param instanceId this instance's id in change messages
	 * @param timeout how long a command may take
	 * @param refreshTokenTimeToLive how long an entry lives when its refresh token states no lifetime
	 * @param maxVersions how many entries' versions are kept at most
	 * @param versionIdleTimeout how long an entry's version is kept after this instance last read or wrote it
	 * @param clock the clock of lifetimes and of idleness
	 */
	public RedisAuthorizedClientService(RedissonReactiveClient redis, RedisEntryCodec entries, RedisKeys keys,
			RedisAvailability availability, String instanceId, Duration timeout, Duration refreshTokenTimeToLive,
			long maxVersions, Duration versionIdleTimeout, Clock clock) {
		Assert.isTrue(maxVersions > 0, "maxVersions must be positive");
		Assert.notNull(versionIdleTimeout, "versionIdleTimeout must not be null");
		this.redis = redis;
		this.entries = entries;
		this.keys = keys;
		this.availability = availability;
		this.instanceId = instanceId;
		this.timeout = timeout;
		this.refreshTokenTimeToLive = refreshTokenTimeToLive;
		this.clock = clock;
		this.versions = Caffeine.newBuilder()
			.maximumSize(maxVersions)
			.expireAfterAccess(versionIdleTimeout)
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build();
		this.writeBacks = Caffeine.newBuilder()
			// Logins weigh nothing: only the user has them again, and a bound on them is no bound worth having
			// (Caffeine's admission would evict the newest first).
			.maximumWeight(maxVersions)
			.weigher((String key, PendingWriteBack pending) -> pending.replaces() ? 0 : 1)
			.expireAfter(Expiry.writing((String key, PendingWriteBack pending) -> Duration
				.ofMillis(timeToLiveMillis(pending.client()))))
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build();
		this.pendingWriteBacks = this.writeBacks.asMap();
		availability.onRecovery(this::writeBackPending);
	}

	@Override
	public String name() {
		return "redis";
	}

	@Override
	public boolean isDegraded() {
		return this.availability.isDegraded();
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends OAuth2AuthorizedClient> Mono<T> loadAuthorizedClient(String clientRegistrationId,
			String principalName) {
		String key = this.keys.entry(clientRegistrationId, principalName);
		// While Redis is down, what this instance saved meanwhile is the entry as far as it knows: a login above
		// all, which the engine, told of the save, reads here, and without which the user just logged in would have
		// nothing to be served until Redis answers.
		Mono<T> keptToWriteBack = Mono.defer(() -> {
			PendingWriteBack parked = this.availability.isDegraded() ? this.pendingWriteBacks.get(key) : null;
			return (parked != null) ? Mono.just((T) parked.client()) : Mono.empty();
		});
		if (!this.availability.shouldTry()) {
			return keptToWriteBack;
		}
		return this.redis.<String, String>getMap(key, StringCodec.INSTANCE)
			.readAllMap()
			.timeout(this.timeout)
			.doOnNext((entry) -> this.availability.succeeded())
			.onErrorResume((ex) -> wrongType(ex) ? notAnEntry(clientRegistrationId, Mono.empty())
					: readFailed(clientRegistrationId, ex))
			.flatMap((entry) -> {
				String storedVersion = entry.get(VERSION);
				Long version = version(storedVersion);
				if (storedVersion != null && version == null) {
					// Not written by this starter, and not comparable: neither read nor replaced by a write-back,
					// whose compare-and-set would fail on it again and again.
					this.versions.invalidate(key);
					logger.warn("Ignoring the stored token of registration '" + clientRegistrationId
							+ "': its version is not a number");
					return Mono.empty();
				}
				// A token beside the mark is no trace: an instance of an earlier version saved over the trace
				// without clearing the mark.
				if (entry.containsKey(REMOVED) && entry.get(DATA) == null && version != null) {
					traced(key, version);
					return writeBack(key, clientRegistrationId, principalName, null, version);
				}
				// Nothing stored reads as version 0: a removal based on this read removes nothing stored since.
				known(key, (version != null) ? version : 0L);
				if (entry.get(DATA) == null || version == null) {
					return writeBack(key, clientRegistrationId, principalName, null, null);
				}
				return this.entries.decode(key, clientRegistrationId, principalName, entry.get(DATA))
					.onErrorResume(TamperedValueException.class, (ex) -> {
						logger.warn("Ignoring the stored token of registration '" + clientRegistrationId + "': "
								+ ex.getMessage());
						return Mono.empty();
					})
					.doOnNext((client) -> this.clientVersions.put(client, version))
					.map(Optional::of)
					.defaultIfEmpty(Optional.empty())
					.flatMap((stored) -> writeBack(key, clientRegistrationId, principalName, stored.orElse(null),
							null));
			})
			.map((client) -> (T) client)
			.switchIfEmpty(keptToWriteBack);
	}

	@Override
	public Mono<Void> saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
		String registrationId = authorizedClient.getClientRegistration().getRegistrationId();
		if (!this.entries.isShareable(authorizedClient)) {
			return Mono.empty();
		}
		String key = this.keys.entry(registrationId, principal.getName());
		if (!this.availability.shouldTry()) {
			return Mono.deferContextual((context) -> keepToWriteBack(key, registrationId, authorizedClient, false,
					context.getOrDefault(BASIS, null)));
		}
		this.pendingRemovals.remove(key);
		return save(key, registrationId, principal.getName(), authorizedClient).then();
	}

	/**
	 * Keeps a client to write back once Redis answers, unless a login is kept there which a save that replaces
	 * nothing is not based on: a renewal of the earlier session, under way when the user logged in, would otherwise
	 * take the login's place and be written back over the session the user has now. A renewal of the login itself
	 * goes on being the login's, and replaces whatever is stored too.
	 * @param key the entry
	 * @param registrationId the entry's registration
	 * @param client the client to write back
	 * @param replaces whether it replaces whatever is stored (a login)
	 * @param basis the read the save is based on, or null
	 * @return empty once kept; a {@link StaleAuthorizedClientException} when refused, the login kept instead
	 */
	private Mono<Void> keepToWriteBack(String key, String registrationId, OAuth2AuthorizedClient client,
			boolean replaces, @Nullable Object basis) {
		boolean[] kept = { true };
		boolean renewsStored = !replaces && client.getRefreshToken() != null
				&& basis instanceof OAuth2AuthorizedClient based && based.getRefreshToken() != null
				&& this.clientVersions.getIfPresent(based) != null;
		this.pendingWriteBacks.compute(key, (parkedKey, parked) -> {
			if (replaces || parked == null || !parked.replaces()) {
				// A renewal of a kept renewal of a stored session continues that session too.
				boolean continuesStored = renewsStored || (!replaces && parked != null && parked.client() == basis
						&& parked.continuesStored());
				return new PendingWriteBack(client, replaces, continuesStored, this.clock.millis());
			}
			if (parked.client() == basis) {
				return new PendingWriteBack(client, true, false, this.clock.millis());
			}
			kept[0] = false;
			return parked;
		});
		return kept[0] ? Mono.empty() : Mono.error(new StaleAuthorizedClientException(registrationId));
	}

	/**
	 * Saves an authorized client in place of whatever is stored, whichever version that is: for a new login,
	 * whose tokens replace those of the user's earlier session. Spring Security's login path saves without
	 * reading first, so a compare-and-set could only fail it; a renewal racing with the login, on this instance or
	 * another, still saves with its compare-and-set, based on what it read before the login, fails, and reads the
	 * login's tokens.
	 * @param authorizedClient the client
	 * @param principal whose client it is
	 * @return completes once saved, or kept to write back when Redis is down
	 */
	public Mono<Void> replaceAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
		String registrationId = authorizedClient.getClientRegistration().getRegistrationId();
		if (!this.entries.isShareable(authorizedClient)) {
			return Mono.empty();
		}
		String key = this.keys.entry(registrationId, principal.getName());
		if (!this.availability.shouldTry()) {
			return keepToWriteBack(key, registrationId, authorizedClient, true, null);
		}
		this.pendingRemovals.remove(key);
		return write(key, ANY_VERSION, null, registrationId, principal.getName(), authorizedClient).then();
	}

	/**
	 * Returns how many saves and removals this instance keeps for Redis to carry out.
	 */
	int pendingCount() {
		this.writeBacks.cleanUp();
		return (int) this.writeBacks.estimatedSize() + this.pendingRemovals.size();
	}

	/**
	 * Returns how many entries' versions this instance keeps.
	 */
	long versionCount() {
		this.versions.cleanUp();
		return this.versions.estimatedSize();
	}

	@Override
	public Mono<Void> removeAuthorizedClient(String clientRegistrationId, String principalName) {
		String key = this.keys.entry(clientRegistrationId, principalName);
		this.pendingWriteBacks.remove(key);
		Versions known = this.versions.asMap().remove(key);
		PendingRemoval removal = new PendingRemoval(clientRegistrationId, principalName,
				(known != null) ? Long.toString(known.newest()) : ANY_VERSION);
		// Recorded before it is sent, and dropped once Redis answers: a save or login made meanwhile cancels it,
		// which a removal put back after it timed out would not know.
		this.pendingRemovals.put(key, removal);
		return this.availability.shouldTry() ? remove(key, removal) : Mono.empty();
	}

	private Mono<Void> remove(String key, PendingRemoval removal) {
		return this.redis.getScript(StringCodec.INSTANCE)
			.<Long>eval(RScript.Mode.READ_WRITE, REMOVE, RScript.ReturnType.LONG, List.of(key), removal.expected(),
					this.keys.channel(), this.instanceId, removal.registrationId(), removal.principalName(),
					Long.toString(REMOVAL_TRACE.toMillis()))
			.timeout(this.timeout)
			.doOnNext((result) -> {
				this.availability.succeeded();
				this.pendingRemovals.remove(key, removal);
			})
			.onErrorResume((ex) -> {
				if (wrongType(ex)) {
					// Nothing of this starter's is there to remove, now or on any later round.
					this.pendingRemovals.remove(key, removal);
					return notAnEntry(removal.registrationId(), Mono.just(0L));
				}
				// Sent again soon when Redis is slow, not down: kept for the next outage's recovery, it would
				// take whatever was stored by then.
				return redisFailed("remove", ex, Mono.<Long>just(0L)).doOnTerminate(this::writeBackAgainIfPending);
			})
			.then();
	}

	private Mono<OAuth2AuthorizedClient> save(String key, String registrationId, String principalName,
			OAuth2AuthorizedClient client) {
		return Mono.deferContextual((context) -> {
			Object basis = context.getOrDefault(BASIS, null);
			return write(key, expectedVersion(key, basis), basis, registrationId, principalName, client);
		});
	}

	/**
	 * The version a save expects to find: that of the read it is based on when it names one, otherwise the last
	 * this instance read or wrote. A session (a client with a refresh token) this instance never saw stored, such
	 * as a renewal kept through an outage, expects nothing stored: its save then takes an absent entry (Redis
	 * restarted empty) but neither a token stored since nor the trace of a removal, which this instance's last
	 * read may have found after the session was ended.
	 */
	private String expectedVersion(String key, @Nullable Object basis) {
		Long read = (basis instanceof OAuth2AuthorizedClient client) ? this.clientVersions.getIfPresent(client) : null;
		if (read != null) {
			return Long.toString(read);
		}
		if (basis instanceof OAuth2AuthorizedClient client && client.getRefreshToken() != null) {
			return "0";
		}
		Versions known = this.versions.getIfPresent(key);
		return (known != null) ? Long.toString(known.basis()) : "0";
	}

	private Mono<OAuth2AuthorizedClient> write(String key, String expected, @Nullable Object basis,
			String registrationId, String principalName, OAuth2AuthorizedClient client) {
		return this.redis.getScript(StringCodec.INSTANCE)
			.<Long>eval(RScript.Mode.READ_WRITE, SAVE, RScript.ReturnType.LONG, List.of(key), expected,
					this.entries.encode(key, client), Long.toString(timeToLiveMillis(client)), this.keys.channel(),
					this.instanceId, registrationId, principalName)
			.timeout(this.timeout)
			.doOnNext((version) -> this.availability.succeeded())
			.onErrorResume((ex) -> {
				if (wrongType(ex)) {
					return notAnEntry(registrationId, Mono.just(0L));
				}
				Mono<Void> kept = keepToWriteBack(key, registrationId, client, ANY_VERSION.equals(expected), basis);
				return kept.then(redisFailed("save", ex, Mono.just(0L)));
			})
			.flatMap((version) -> {
				if (version < 0) {
					return Mono.error(new StaleAuthorizedClientException(registrationId, version == REMOVED_SINCE));
				}
				if (version > 0) {
					this.clientVersions.put(client, version);
					if (ANY_VERSION.equals(expected)) {
						replaced(key, version);
					}
					else {
						known(key, version);
					}
					this.pendingWriteBacks.computeIfPresent(key,
							(written, pending) -> (pending.client() == client) ? null : pending);
				}
				return Mono.just(client);
			});
	}

	/**
	 * Records a version this instance read or wrote: the basis of its next save, and known to be stored.
	 */
	private void known(String key, long version) {
		this.versions.asMap()
			.merge(key, new Versions(version, version),
					(held, read) -> new Versions(read.basis(), Math.max(held.newest(), read.newest())));
	}

	/**
	 * Records the version of the trace of a removal this instance read: the basis of its next save, which then
	 * replaces nothing the read did not see. It holds no token, so the newest version this instance knows was
	 * stored stays what it was: a removal based on this read removes nothing stored since (a login).
	 */
	private void traced(String key, long version) {
		this.versions.asMap()
			.merge(key, new Versions(version, 0), (held, read) -> new Versions(read.basis(), held.newest()));
	}

	/**
	 * Records the version a replacement (a login) stored: known to be stored, but no basis of the engine's next
	 * save. A renewal on this instance that read the entry before the login is based on that read, and must fail
	 * rather than put the old session's tokens over the login's; one that reads after it finds the login's version.
	 */
	private void replaced(String key, long version) {
		this.versions.asMap()
			.merge(key, new Versions(0, version),
					(held, stored) -> new Versions(held.basis(), Math.max(held.newest(), version)));
	}

	/**
	 * Records the version of an entry another instance saved, as its change message announced it, when this
	 * instance last found a token stored there or stored one itself (a login): the newer token replaces the one
	 * it holds, and a removal of the token it then holds must reach that version. An instance whose last read
	 * found nothing holds no token of the entry, and its removal leaves a login stored since alone. It is no basis
	 * of a save either: one based on an older read is still refused.
	 * @param registrationId the entry's registration
	 * @param principalName the entry's principal
	 * @param version the version the message announced
	 */
	void announced(String registrationId, String principalName, long version) {
		this.versions.asMap()
			.computeIfPresent(this.keys.entry(registrationId, principalName),
					(key, held) -> (held.newest() > 0)
							? new Versions(held.basis(), Math.max(held.newest(), version)) : held);
	}

	/**
	 * Records the version a token another instance saved was stored with, as its change message announced it,
	 * once this instance holds that token: a renewal based on it, whatever the store reads then, expects that
	 * version, and is refused where the entry was removed since.
	 * @param client the token taken up from the change message
	 * @param version the version the message announced
	 */
	void tookUp(OAuth2AuthorizedClient client, long version) {
		this.clientVersions.put(client, version);
	}

	/**
	 * Drops what this instance kept to write back to an entry another instance removed (a sign-out, a revocation,
	 * a session found over), as its change message says: written back, it would bring the ended session back to
	 * the fleet.
	 * @param registrationId the entry's registration
	 * @param principalName the entry's principal
	 */
	void removedElsewhere(String registrationId, String principalName) {
		this.pendingWriteBacks.remove(this.keys.entry(registrationId, principalName));
	}

	/**
	 * Carries out, as soon as Redis answers again, the removals of the outage, so that no other instance serves a
	 * token this one revoked or a session that ended, then writes back the tokens this instance obtained during
	 * the outage, so the other instances find them instead of asking the provider.
	 */
	private void writeBackPending() {
		Flux.fromIterable(List.copyOf(this.pendingRemovals.entrySet()))
			.flatMap((removal) -> remove(removal.getKey(), removal.getValue()))
			.thenMany(Flux.fromIterable(List.copyOf(this.pendingWriteBacks.values())).map(PendingWriteBack::client))
			.flatMap((client) -> loadAuthorizedClient(client.getClientRegistration().getRegistrationId(),
					client.getPrincipalName())
				.onErrorResume((ex) -> {
					logger.warn("Could not write back the token of registration '"
							+ client.getClientRegistration().getRegistrationId() + "': " + ex.getMessage());
					return Mono.empty();
				}))
			.then()
			.subscribe(null, null, this::writeBackAgainIfPending);
	}

	/**
	 * Runs another round of write-backs, after a pause that doubles from {@link #WRITE_BACK_RETRY} up to
	 * {@link #WRITE_BACK_RETRY_MAX}, while a round leaves tokens unwritten although Redis is not down: a read or a
	 * save that timed out on a busy Redis is no new recovery, and without it the token waited for this instance's
	 * next read of its key while the other instances, finding nothing, asked the provider or told users to sign
	 * in again. While Redis is down, its recovery starts the next round.
	 */
	private void writeBackAgainIfPending() {
		if (this.pendingWriteBacks.isEmpty() && this.pendingRemovals.isEmpty()) {
			this.unfinishedWriteBacks.set(0);
			return;
		}
		if (this.availability.isDegraded() || !this.writeBackScheduled.compareAndSet(false, true)) {
			return;
		}
		int rounds = Math.min(this.unfinishedWriteBacks.getAndIncrement(), 6);
		Duration pause = WRITE_BACK_RETRY.multipliedBy(1L << rounds);
		Mono.delay((pause.compareTo(WRITE_BACK_RETRY_MAX) < 0) ? pause : WRITE_BACK_RETRY_MAX)
			.subscribe((tick) -> {
				this.writeBackScheduled.set(false);
				writeBackPending();
			});
	}

	/**
	 * Once Redis answers again, writes back a token this instance obtained during the outage if it is newer
	 * than the stored one, and returns whichever is newer. A login saved during the outage replaces what is
	 * stored, as it would have then: the user's new session wins over the old one's tokens however late another
	 * instance renewed them. Where the read found the trace of a removal ({@code removal}, its version: a sign-out
	 * or a revocation this instance may not have been told of), any other token is dropped if it continues a
	 * session that was stored when it was obtained, or was kept before the removal (its save may even have
	 * reached Redis, unanswered, and been what the removal removed): written back, it would bring the ended session
	 * back to the fleet. A token new since the removal (a sign-in, a client's new token) is written back over it.
	 */
	private Mono<OAuth2AuthorizedClient> writeBack(String key, String registrationId, String principalName,
			@Nullable OAuth2AuthorizedClient stored, @Nullable Long removal) {
		PendingWriteBack parked = this.pendingWriteBacks.remove(key);
		if (parked != null && parked.replaces()) {
			return write(key, ANY_VERSION, null, registrationId, principalName, parked.client());
		}
		OAuth2AuthorizedClient pending = (parked != null) ? parked.client() : null;
		if (pending == null || (removal != null && parked.endedBy(removal))
				|| (stored != null && !expiresLater(pending, stored))) {
			return Mono.justOrEmpty(stored);
		}
		// Another instance wrote back its own token since this one read the entry: read again and compare with
		// that one, or a single-session provider's live token could lose to an older, dead one.
		return save(key, registrationId, principalName, pending)
			.onErrorResume(StaleAuthorizedClientException.class, (ex) -> {
				this.pendingWriteBacks.putIfAbsent(key, parked);
				return loadAuthorizedClient(registrationId, principalName);
			});
	}

	private static boolean expiresLater(OAuth2AuthorizedClient candidate, OAuth2AuthorizedClient stored) {
		Instant candidateExpiry = candidate.getAccessToken().getExpiresAt();
		Instant storedExpiry = stored.getAccessToken().getExpiresAt();
		return candidateExpiry != null && (storedExpiry == null || candidateExpiry.isAfter(storedExpiry));
	}

	private long timeToLiveMillis(OAuth2AuthorizedClient client) {
		Instant now = this.clock.instant();
		Instant accessExpiry = client.getAccessToken().getExpiresAt();
		Instant until = (accessExpiry != null) ? accessExpiry : now.plus(this.refreshTokenTimeToLive);
		if (client.getRefreshToken() != null) {
			Instant refreshExpiry = client.getRefreshToken().getExpiresAt();
			until = (refreshExpiry != null) ? refreshExpiry : until.plus(this.refreshTokenTimeToLive);
		}
		return Math.max(1000, Duration.between(now, until).toMillis());
	}

	/**
	 * Reads a stored version: a number this starter's scripts wrote, or null when there is none or it is no
	 * version at all.
	 */
	private static @Nullable Long version(@Nullable String stored) {
		if (stored == null) {
			return null;
		}
		try {
			long version = Long.parseLong(stored);
			return (version >= 0) ? version : null;
		}
		catch (NumberFormatException ex) {
			// Written by something other than this starter: the caller ignores the entry.
			return null;
		}
	}

	/**
	 * Whether Redis refused a command for the type of the key: something other than this starter wrote a
	 * string, list or other type where an entry belongs. Redis answered, so it is not down.
	 */
	private static boolean wrongType(Throwable failure) {
		return failure instanceof RedisException && failure.getMessage() != null
				&& failure.getMessage().startsWith("WRONGTYPE");
	}

	/**
	 * Treats a key of another type as a missing entry that cannot be written either, instead of as a Redis
	 * failure: that would take the instance off Redis for every key, and bring it back and off again on each
	 * read of that key.
	 */
	private <T> Mono<T> notAnEntry(String registrationId, Mono<T> fallback) {
		this.availability.succeeded();
		logger.warn("Ignoring the stored token of registration '" + registrationId
				+ "': its Redis key holds another type of value, written by something else");
		return fallback;
	}

	/**
	 * A read that failed because Redis is down finds nothing: the instance works alone. One that timed out while
	 * Redis answered other commands tells nothing about what is stored, and fails: read as nothing stored, it
	 * made the engine ask the provider for a token that was there, or a user sign in again.
	 */
	private <T> Mono<T> readFailed(String registrationId, Throwable failure) {
		this.availability.failed("load", failure);
		if (this.availability.isDegraded()) {
			return Mono.empty();
		}
		TimeoutException slow = new TimeoutException("reading the stored token of registration '" + registrationId
				+ "' timed out while Redis answered other commands");
		slow.initCause(failure);
		return Mono.error(slow);
	}

	private <T> Mono<T> redisFailed(String operation, Throwable failure, Mono<T> fallback) {
		this.availability.failed(operation, failure);
		return fallback;
	}

	/**
	 * What this instance knows of an entry's version.
	 * @param basis the version it last read or wrote, which its next save expects to find: a save based on an
	 * older read must not replace what was stored since
	 * @param newest the newest version it knows was stored, announced by another instance's change message too:
	 * a removal takes away what is no newer, as the token this instance holds (and revokes) may be that one
	 */
	private record Versions(long basis, long newest) {

	}

	/**
	 * A token Redis has not stored yet.
	 * @param client the token
	 * @param replaces whether it replaces whatever is stored (a login), rather than being stored only if newer
	 * @param continuesStored whether it continues a session that was stored when it was obtained (renewed from a
	 * refresh token of a stored version): a removal of the entry since has ended that session
	 * @param keptAtMillis when it was kept
	 */
	private record PendingWriteBack(OAuth2AuthorizedClient client, boolean replaces, boolean continuesStored,
			long keptAtMillis) {

		/**
		 * Whether the removal whose trace has this version ended this token's session. A trace's version is
		 * Redis's clock in microseconds when the removal ran (or just above the removed version); an instance's
		 * clock may differ from Redis's by a little, so a token kept within a second after the removal counts as
		 * kept before it.
		 */
		boolean endedBy(long removal) {
			return this.continuesStored || TimeUnit.MILLISECONDS.toMicros(this.keptAtMillis - 1000) < removal;
		}

	}

	/**
	 * A removal Redis has not carried out yet.
	 * @param registrationId the entry's registration
	 * @param principalName the entry's principal
	 * @param expected the newest version of the entry this instance knew of when it removed it, or {@code *}
	 */
	private record PendingRemoval(String registrationId, String principalName, String expected) {

	}

}
