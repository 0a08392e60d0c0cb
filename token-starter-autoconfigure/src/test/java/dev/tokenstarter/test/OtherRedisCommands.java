package dev.tokenstarter.test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import dev.tokenstarter.store.RedisAvailability;

/**
 * An instance's other Redis commands, answered on time while a test slows down or holds the ones it watches: a read
 * every 50 ms, each answer recorded as the store records its answers ({@link RedisAvailability#succeeded()}), so
 * that a command that times out meanwhile times out alone. On connections of their own, as a command that timed out
 * holds up those that follow it on its connection.
 */
public final class OtherRedisCommands implements AutoCloseable {

	private final RedissonClient client;

	private final AtomicInteger answers = new AtomicInteger();

	private final Disposable asking;

	private OtherRedisCommands(String url, RedisAvailability availability) {
		Config config = new Config();
		config.useSingleServer().setAddress(url);
		this.client = Redisson.create(config);
		this.asking = Flux.interval(Duration.ofMillis(50))
			.concatMap((tick) -> this.client.reactive().getBucket("token-starter:other").isExists())
			.subscribe((exists) -> {
				this.answers.incrementAndGet();
				availability.succeeded();
			});
	}

	/**
	 * Starts asking the Redis at {@code url}, telling {@code availability} of each answer.
	 */
	public static OtherRedisCommands answeredFor(String url, RedisAvailability availability) {
		return new OtherRedisCommands(url, availability);
	}

	/**
	 * Returns how many of the commands Redis has answered.
	 */
	public int answers() {
		return this.answers.get();
	}

	@Override
	public void close() {
		this.asking.dispose();
		this.client.shutdown();
	}

}
