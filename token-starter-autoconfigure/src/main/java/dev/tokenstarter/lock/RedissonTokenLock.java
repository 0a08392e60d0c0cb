package dev.tokenstarter.lock;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.RScriptReactive;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;

import org.springframework.util.Assert;

import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisAvailabilityProbe;
import dev.tokenstarter.store.RedisKeys;

/**
 * One renewal at a time across the fleet, with a lock in Redis per registration and principal. The lease is
 * fixed (no watchdog): a holder that dies or hangs loses the lock after it, and should it wake up later its
 * write is refused by the store's versioned save.
 *
 * <p>The lock is a Redis hash whose one field is a random holder id, with the lease as its expiry, taken and
 * released by two small scripts of one command each; it is laid out like Redisson's {@code RLock}, which earlier
 * versions used, so that during a rolling upgrade both kinds of instance see each other's lock as held. The
 * {@code RLock} itself is not used: on a master with replicas it sends
 * its script in a batch that ends with {@code WAIT} for the replicas, and when a planned Sentinel switchover
 * closes the connection while that reply is pending, the batch hangs for its whole response timeout (the
 * instance then works alone) and is later re-sent to the new master for a holder that gave up. A script whose
 * answer is lost the same way is sent again after a short response timeout, usually to the new master: both
 * scripts may run twice, as taking the lock finds it the holder's own when an earlier sending already took it.
 * A sending may also run after its waiter gave up and gave the lock back; nobody holds what it takes, so a grant
 * lasts a claim (two store timeouts) until its holder, having received it, extends it to the full lease.
 * Not waiting for the replicas means a lock taken just before a master fails can be lost with it, and a second
 * instance may renew meanwhile: at most one extra token request, and the versioned save keeps the newer token.
 *
 * <p>With a {@link MasterCheck} (Sentinel), a lock is relied on only once the check confirms that the server
 * which granted it is the master the fleet uses; otherwise it is given back at once and tried again shortly, so
 * no renewal runs on an old master during a switchover while other instances already use the new one. A release
 * carried out by an old master is done again until the master confirms it, and so is a release that failed (its
 * sending lost with a broken connection, say) once Redis can be tried again: left in Redis, the lock would keep
 * every instance from renewing the key until its lease ends.
 *
 * <p>A waiter is woken by the holder's release message ({@link LockReleases}) and otherwise tries again at
 * intervals ({@link #LISTENING_PAUSE} at most, {@link #MAX_PAUSE} until its subscription is confirmed) and when the
 * holder's lease ends, so a lost message costs at most a second. After each pause
 * it first asks whether it has been served meanwhile (the holder's token, come by change message), and leaves
 * the queue if so, instead of taking the lock only to find that token under it. When the wait
 * for the lock runs out, the work runs without it: it re-reads the store first, so it uses the holder's token if
 * one was saved meanwhile, and authenticates on its own otherwise (logged), rather than failing the caller. A
 * renewal ahead of expiry does not wait at all: if another instance holds the lock, its new token will arrive by
 * change message. When Redis is down, a local lock keeps at least this instance to one renewal; an attempt that
 * timed out while Redis answered other commands (see {@link RedisAvailability}) is tried again within the wait
 * instead, so a busy Redis or machine does not put instances on their local locks.
 */
public class RedissonTokenLock implements TokenLock {

	private static final Log logger = LogFactory.getLog(RedissonTokenLock.class);

	/**
	 * The longest pause between two attempts of a waiter that may not hear the release: its subscription is not
	 * confirmed yet, or the holder gives the lock back without announcing it. A handful of commands a second per
	 * waiting instance and lock.
	 */
	private static final Duration MAX_PAUSE = Duration.ofMillis(200);

	/**
	 * The longest pause between two attempts of a waiter that listens for the release, which ends the pause at
	 * once: the pause only bounds the wait when the message is lost (published while the instance re-subscribes),
	 * so it is long, and drawn between half of it and all of it, so that the waiters of a whole fleet do not poll
	 * Redis in step while the holder waits for a slow provider.
	 */
	private static final Duration LISTENING_PAUSE = Duration.ofSeconds(1);

	private static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofMillis(100);

	private static final Duration MAX_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

	/**
	 * KEYS[1] lock; ARGV holder, claim millis, '1' to name the server, lease millis. Returns {0, run id or ''}
	 * when the lock is the holder's (taken now, for a claim only, or by an earlier sending of the same attempt,
	 * whose expiry stands), otherwise {milliseconds left of the current holder's lease} (a full lease for a key
	 * without expiry). The run id is asked for only when a master check needs it, as INFO may be denied to a user
	 * with restricted command permissions.
	 */
	private static final String ACQUIRE = """
			local mine = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
			if mine or redis.call('EXISTS', KEYS[1]) == 0 then
				if not mine then
					redis.call('HSET', KEYS[1], ARGV[1], 1)
					redis.call('PEXPIRE', KEYS[1], ARGV[2])
				end
				if ARGV[3] ~= '1' then return {0, ''} end
				return {0, string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')}
			end
			local left = redis.call('PTTL', KEYS[1])
			if left < 0 then left = tonumber(ARGV[4]) end
			return {math.max(left, 1)}
			""";

	/**
	 * KEYS[1] lock; ARGV holder, lease millis. Turns the holder's claim into the full lease; returns 1, or 0 when
	 * the lock is no longer the holder's (its claim ran out before the grant reached it). Package-private so that
	 * tests can recognise it on the wire.
	 */
	static final String EXTEND = """
			if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			return 1
			""";

	/**
	 * KEYS[1] lock; ARGV holder, change channel or '' for no announcement, '1' to name the server, the channel
	 * on which earlier versions listen for releases. Deletes the lock only if it is still the holder's (its lease
	 * may have ended and another instance taken it) and announces the release on the change channel, which every
	 * instance already listens to ({@link LockReleases}), and on the earlier versions' channel, so that their
	 * waiters are woken too during a rolling upgrade (a publication nobody listens to costs Redis a look-up).
	 * Returns the server's run id when asked for, '' otherwise.
	 */
	private static final String RELEASE = """
			if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
				redis.call('DEL', KEYS[1])
				if ARGV[2] ~= '' then
					redis.call('PUBLISH', ARGV[2], cjson.encode({released = KEYS[1]}))
					redis.call('PUBLISH', ARGV[4], KEYS[1])
				end
			end
			if ARGV[3] ~= '1' then return '' end
			return string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
			""";

	private final RedissonReactiveClient redis;

	private final RScriptReactive scripts;

	private final RedisKeys keys;

	private final RedisAvailability availability;

	private final Duration wait;

	private final Duration lease;

	private final Duration timeout;

	private final LockObserver observer;

	private final LockReleases releases;

	private final TokenLock fallback = new LocalTokenLock();

	private MasterCheck masterCheck = MasterCheck.NONE;

	public RedissonTokenLock(RedissonReactiveClient redis, RedisKeys keys, RedisAvailability availability,
			Duration wait, Duration lease, Duration timeout, LockObserver observer) {
		Duration attemptTimeout = attemptTimeout(timeout);
		this.redis = redis;
		this.scripts = redis.getScript(OptionalOptions.defaults()
			.codec(StringCodec.INSTANCE)
			.timeout(attemptTimeout)
			.retryAttempts((int) Math.max(1, timeout.dividedBy(attemptTimeout))));
		this.keys = keys;
		this.availability = availability;
		this.wait = wait;
		this.lease = lease;
		this.timeout = timeout;
		this.observer = observer;
		this.releases = new LockReleases(redis, keys, availability);
	}

	/**
	 * Sets how a granted lock is confirmed to be on the master the fleet uses; {@link MasterCheck#NONE} (the
	 * default) for a single server or a Cluster.
	 * @param masterCheck the check
	 */
	public void setMasterCheck(MasterCheck masterCheck) {
		Assert.notNull(masterCheck, "masterCheck cannot be null");
		this.masterCheck = masterCheck;
	}

	@Override
	public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work) {
		return withLock(key, work, Mono::empty);
	}

	@Override
	public <T> Mono<T> withLock(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> served) {
		return lock(key, this.wait, work, () -> {
			logger.warn("Waited " + this.wait + " for another instance's renewal of " + tokenOf(key)
					+ "; renewing without the lock");
			return work.get();
		}, served);
	}

	@Override
	public <T> Mono<T> withExclusiveLock(String key, Supplier<Mono<T>> work) {
		return withExclusiveLock(key, work, Mono::empty);
	}

	@Override
	public <T> Mono<T> withExclusiveLock(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> served) {
		return lock(key, this.wait, work, () -> {
			logger.info("Waited " + this.wait + " for another instance's renewal of " + tokenOf(key)
					+ "; waiting again, as renewing beside it would end its session or spend its refresh token");
			return withExclusiveLock(key, work, served);
		}, served);
	}

	/**
	 * Names a key's token in logs by its provider alone: the rest of the key is whose token it is, a user's name
	 * for a user's key, which logs must not carry.
	 */
	private static String tokenOf(String key) {
		int separator = key.indexOf(':');
		return "a token of provider '" + ((separator > 0) ? key.substring(0, separator) : key) + "'";
	}

	@Override
	public boolean isDegraded() {
		return this.availability.isDegraded();
	}

	/**
	 * The longest pause of an instance's availability probe, then its probe and its first write-back, each
	 * bounded by the store's timeout.
	 */
	@Override
	public Duration rejoinTime() {
		return RedisAvailabilityProbe.LONGEST_PERIOD.plus(this.timeout.multipliedBy(2));
	}

	@Override
	public <T> Mono<T> withLockIfFree(String key, Supplier<Mono<T>> work, Supplier<Mono<T>> otherwise) {
		return lock(key, Duration.ZERO, work, otherwise, Mono::empty);
	}

	private <T> Mono<T> lock(String key, Duration waitFor, Supplier<Mono<T>> work, Supplier<Mono<T>> whenHeld,
			Supplier<Mono<T>> served) {
		// Whether Redis is tried is decided when the lock is asked for, not when the Mono is built: one built
		// during an outage and subscribed after it must not stay on the local lock.
		return Mono.defer(() -> {
			if (!this.availability.shouldTry()) {
				this.observer.lockWaited(key, "local", 0);
				return this.fallback.withLock(key, work);
			}
			String name = this.keys.lock(key);
			long start = System.nanoTime();
			AtomicReference<@Nullable String> trying = new AtomicReference<>();
			AtomicReference<@Nullable T> servedWith = new AtomicReference<>();
			// The check is a shortcut past the lock, not the lock: a store read it makes that fails (a failover
			// under way, say) means "not served yet", and the next attempt on the lock tells whether Redis is
			// there, rather than this read putting the instance on its local lock.
			Supplier<Mono<Boolean>> isServed = () -> served.get()
				.doOnNext(servedWith::set)
				.hasElement()
				.onErrorResume((ex) -> {
					logger.debug("Checking whether another instance's renewal of " + tokenOf(key)
							+ " already served this one failed; waiting on: " + ex.getMessage());
					return Mono.just(false);
				});
			return acquire(name, start + waitFor.toNanos(), trying, isServed)
				// An attempt in flight may still take the lock: give it back rather than leave it for the lease.
				.doOnCancel(() -> giveBack(name, trying))
				.onErrorResume((ex) -> {
					this.availability.failed("lock", ex);
					if (this.availability.isDegraded()) {
						// The attempt may have taken the lock, or extended it to a lease, before its answer was
						// lost: left there, it keeps every other instance waiting for that lease.
						giveBackOnceRedisAnswers(name, trying);
						return Mono.just(Acquisition.REDIS_FAILED);
					}
					// A slow answer, not an outage. The attempt may still take the lock when its answer is lost.
					giveBack(name, trying);
					return Mono.just(Acquisition.SLOW);
				})
				.defaultIfEmpty(Acquisition.WAIT_EXPIRED)
				.doOnNext((acquisition) -> this.observer.lockWaited(key,
						(acquisition == Acquisition.WAIT_EXPIRED && waitFor.isZero()) ? "busy" : acquisition.outcome(),
						System.nanoTime() - start))
				.flatMap((acquisition) -> {
					if (acquisition == Acquisition.SERVED) {
						return Mono.justOrEmpty(servedWith.get());
					}
					String holder = acquisition.holder();
					if (holder != null) {
						return Mono.usingWhen(Mono.just(holder), (held) -> work.get(),
								(held) -> release(name, held, true));
					}
					if (acquisition == Acquisition.SLOW) {
						long left = start + waitFor.toNanos() - System.nanoTime();
						return (left > 0) ? lock(key, Duration.ofNanos(left), work, whenHeld, served) : whenHeld.get();
					}
					return (acquisition == Acquisition.REDIS_FAILED) ? this.fallback.withLock(key, work)
							: whenHeld.get();
				});
		});
	}

	/**
	 * Gives back what the attempt under way may still take, in the background: left alone, it would keep the
	 * fleet waiting for its lease.
	 */
	private void giveBack(String name, AtomicReference<@Nullable String> trying) {
		String holder = trying.get();
		if (holder != null) {
			release(name, holder, true).subscribe();
		}
	}

	/**
	 * Gives back what the attempt under way may have taken before Redis failed, once Redis answers again, within
	 * the lease: sent now, while the instance counts Redis as down, it would only fail again.
	 */
	private void giveBackOnceRedisAnswers(String name, AtomicReference<@Nullable String> trying) {
		String holder = trying.get();
		if (holder != null) {
			releaseAgainUnlessDone(name, holder, true, Optional.empty(), System.nanoTime() + this.lease.toNanos())
				.subscribe();
		}
	}

	/**
	 * Tries to take the lock until {@code deadline} (a {@link System#nanoTime()}), pausing between attempts
	 * until the lock is released, its lease ends or {@link #MAX_PAUSE} passes, whichever comes first, and
	 * asking {@code served} after each pause whether the wait is still needed. Each attempt has a holder id of
	 * its own, so that giving back a refused grant can never remove a later one.
	 * @param trying the holder id of the attempt under way, for a cancellation to give back
	 * @param served whether the waiter has been served meanwhile (the holder's result reached it)
	 * @return the acquisition with the holder id that took the lock, or {@link Acquisition#SERVED}; empty when
	 * the wait ran out
	 */
	private Mono<Acquisition> acquire(String name, long deadline, AtomicReference<@Nullable String> trying,
			Supplier<Mono<Boolean>> served) {
		String holder = Long.toHexString(ThreadLocalRandom.current().nextLong());
		trying.set(holder);
		// Listens before trying, so a release between a refused attempt and the pause still ends the pause.
		return Mono.using(() -> this.releases.listen(name),
				(released) -> attempt(name, holder).flatMap((granted) -> {
					if (granted.leaseLeft() > 0) {
						return pause(Mono.fromFuture(released, true), Math.min(granted.leaseLeft(), longestPause()),
								deadline)
							.thenReturn(false);
					}
					return confirmed(name, holder, granted.runId(), deadline)
						.flatMap((confirmed) -> confirmed ? extend(name, holder) : Mono.just(false));
				}), this.releases::forget)
			.flatMap((acquired) -> {
				if (acquired) {
					return Mono.just(Acquisition.acquired(holder));
				}
				if (System.nanoTime() - deadline >= 0) {
					return Mono.empty();
				}
				// Asked before the next attempt rather than taking the lock to find the holder's result under it:
				// otherwise the holder's release wakes every waiter, one takes the lock, and the others wait for
				// its release in turn, so the last of N waits N turns and the fleet sends N² attempts.
				return served.get()
					.flatMap((done) -> done ? Mono.just(Acquisition.SERVED) : acquire(name, deadline, trying, served));
			});
	}

	/**
	 * Whether a granted lock can be relied on. One the master check refuses is given back at once (it may have
	 * reached the new master, where it would block the fleet for its lease) without waking anyone, since nobody
	 * can rely on it either until the switchover is over, and tried again after a pause.
	 */
	private Mono<Boolean> confirmed(String name, String holder, String runId, long deadline) {
		if (this.masterCheck == MasterCheck.NONE) {
			return Mono.just(true);
		}
		return this.masterCheck.isMaster(runId).flatMap((master) -> {
			if (master) {
				return Mono.just(true);
			}
			logger.debug("A renewal lock was granted by a server that is not the master the sentinels name, "
					+ "or while they fail it over; giving it back and trying again");
			return release(name, holder, false).then(pause(Mono.never(), MAX_PAUSE.toMillis(), deadline))
				.thenReturn(false);
		});
	}

	/**
	 * One attempt, bounded by the store's timeout. Package-private so that tests can play an attempt whose waiter
	 * is gone.
	 */
	Mono<Granted> attempt(String name, String holder) {
		return this.scripts
			.<List<Object>>eval(RScript.Mode.READ_WRITE, ACQUIRE, RScript.ReturnType.LIST, List.of(name), holder,
					Long.toString(claim().toMillis()), namingServer(), Long.toString(this.lease.toMillis()))
			.timeout(this.timeout)
			.doOnNext((reply) -> this.availability.succeeded())
			.map(Granted::of);
	}

	/**
	 * Makes a granted claim the holder's full lease. Until then the lock lasts a claim only: an attempt may still
	 * run in Redis after its waiter gave the lock back (sent again by Redisson, or held up on a busy connection),
	 * and such a lock, which nobody holds, keeps the fleet waiting for a claim, not for a whole lease.
	 * @return whether the lock is the holder's; false when its claim ran out first, and the waiter tries again
	 */
	private Mono<Boolean> extend(String name, String holder) {
		return this.scripts
			.<Long>eval(RScript.Mode.READ_WRITE, EXTEND, RScript.ReturnType.LONG, List.of(name), holder,
					Long.toString(this.lease.toMillis()))
			.timeout(this.timeout)
			.map((extended) -> extended == 1L);
	}

	/**
	 * How long a lock lasts between its grant and its holder's extension: two store timeouts (the grant's answer
	 * and the extension each take at most one), within the lease.
	 */
	private Duration claim() {
		Duration claim = this.timeout.multipliedBy(2);
		return (claim.compareTo(this.lease) < 0) ? claim : this.lease;
	}

	/**
	 * How long a waiter refused the lock may pause before its next attempt when no release wakes it.
	 */
	private long longestPause() {
		if (!this.releases.isListening()) {
			return MAX_PAUSE.toMillis();
		}
		long longest = LISTENING_PAUSE.toMillis();
		return ThreadLocalRandom.current().nextLong(longest / 2, longest + 1);
	}

	/**
	 * Pauses until {@code wake} signals, {@code maxMillis} pass, or the deadline.
	 */
	private Mono<Void> pause(Mono<Void> wake, long maxMillis, long deadline) {
		long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(maxMillis), deadline - System.nanoTime());
		if (pause <= 0) {
			return Mono.empty();
		}
		return Mono.firstWithSignal(wake, Mono.delay(Duration.ofNanos(pause)).then());
	}

	/**
	 * Releases the lock if it is still this holder's; a lease that already ran out is not an error. A release
	 * that fails, or that an old master of a switchover carried out (the lock may have reached the new master
	 * before the switch), is done again in the background until Redis carries it out on the master or the lease
	 * ends the lock anyway.
	 * @param announce whether to wake the fleet's waiters
	 */
	private Mono<Void> release(String name, String holder, boolean announce) {
		long leaseEnd = System.nanoTime() + this.lease.toNanos();
		return sentRelease(name, holder, announce)
			.doOnNext((sent) -> releaseAgainUnlessDone(name, holder, announce, sent, leaseEnd).subscribe())
			.then();
	}

	private Mono<Void> releaseAgainUnlessDone(String name, String holder, boolean announce, Optional<String> sent,
			long leaseEnd) {
		Mono<Boolean> done = sent.map(this.masterCheck::isMaster).orElseGet(() -> Mono.just(false));
		return done.flatMap((released) -> {
			if (released || !mayStillHold(leaseEnd)) {
				return Mono.empty();
			}
			// While Redis is down, the instance's probe finds out when it answers again; a release sent every
			// pause meanwhile would only fail again, and push that probe back.
			Mono<Optional<String>> again = Mono.defer(() -> this.availability.shouldTry()
					? sentRelease(name, holder, announce) : Mono.just(Optional.<String>empty()));
			return Mono.delay(MAX_PAUSE)
				.then(again)
				.flatMap((next) -> releaseAgainUnlessDone(name, holder, announce, next, leaseEnd));
		});
	}

	/**
	 * Whether a lock not yet released can still be in Redis and the release still be sent: its lease has not
	 * ended, and the client has not been shut down with the application.
	 */
	private boolean mayStillHold(long leaseEnd) {
		return System.nanoTime() - leaseEnd < 0 && !this.redis.isShuttingDown() && !this.redis.isShutdown();
	}

	/**
	 * Sends the release once.
	 * @return the run id of the server that carried the release out ('' when not asked for), or no value when
	 * Redis failed
	 */
	private Mono<Optional<String>> sentRelease(String name, String holder, boolean announce) {
		return this.scripts
			.<String>eval(RScript.Mode.READ_WRITE, RELEASE, RScript.ReturnType.STRING, List.of(name), holder,
					announce ? this.keys.channel() : "", namingServer(), this.keys.lockReleases())
			.timeout(this.timeout)
			.map((runId) -> {
				this.availability.succeeded();
				return Optional.of(runId);
			})
			.onErrorResume((ex) -> {
				this.availability.failed("unlock", ex);
				return Mono.empty();
			})
			.defaultIfEmpty(Optional.empty());
	}

	private String namingServer() {
		return (this.masterCheck != MasterCheck.NONE) ? "1" : "0";
	}

	/**
	 * How long Redisson waits for the answer to one sending of a lock script before sending it again: an eighth
	 * of the store's timeout, from 100 ms to 1 s. When a switchover closes the connection to the old master while
	 * an answer is on its way, the answer never comes, and the script is sent again, usually to the new master,
	 * after this time instead of failing the whole timeout.
	 */
	private static Duration attemptTimeout(Duration timeout) {
		Duration eighth = timeout.dividedBy(8);
		return (eighth.compareTo(MIN_ATTEMPT_TIMEOUT) < 0) ? MIN_ATTEMPT_TIMEOUT
				: (eighth.compareTo(MAX_ATTEMPT_TIMEOUT) > 0) ? MAX_ATTEMPT_TIMEOUT : eighth;
	}

	/**
	 * An attempt's answer.
	 * @param leaseLeft 0 when the lock is now the holder's, otherwise the milliseconds left of the current
	 * holder's lease
	 * @param runId the granting server's run id, when asked for
	 */
	record Granted(long leaseLeft, String runId) {

		static Granted of(List<Object> reply) {
			return new Granted((Long) reply.get(0), (reply.size() > 1) ? (String) reply.get(1) : "");
		}

	}

	/**
	 * How the wait for the lock ended.
	 * @param holder the holder id that took the lock, or null
	 * @param outcome the {@code token.lock.wait} outcome
	 */
	private record Acquisition(@Nullable String holder, String outcome) {

		static final Acquisition WAIT_EXPIRED = new Acquisition(null, "timeout");

		static final Acquisition REDIS_FAILED = new Acquisition(null, "local");

		static final Acquisition SERVED = new Acquisition(null, "served");

		static final Acquisition SLOW = new Acquisition(null, "slow");

		static Acquisition acquired(String holder) {
			return new Acquisition(holder, "acquired");
		}

	}

}
