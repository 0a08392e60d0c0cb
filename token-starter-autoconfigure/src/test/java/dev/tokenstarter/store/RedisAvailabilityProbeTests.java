package dev.tokenstarter.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import dev.tokenstarter.test.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The end of a Redis outage is noticed within the retry interval even when nothing else asks Redis.
 */
class RedisAvailabilityProbeTests {

	private final RedisServer redis = RedisServer.start();

	private RedissonClient redisson;

	private RedisAvailabilityProbe probe;

	@AfterEach
	void stop() {
		if (this.probe != null) {
			this.probe.stop();
		}
		if (this.redisson != null) {
			this.redisson.shutdown();
		}
		this.redis.close();
	}

	@Test
	void degradedModeEndsOnceRedisAnswersAgainWithoutAnyOtherCommand() {
		Config config = new Config();
		config.useSingleServer().setAddress(this.redis.url()).setRetryAttempts(0).setTimeout(500);
		this.redisson = Redisson.create(config);
		RedisAvailability availability = new RedisAvailability(Duration.ofMillis(200), Duration.ZERO);
		this.probe = new RedisAvailabilityProbe(this.redisson, new RedisKeys("probe-test:"), availability,
				Duration.ofMillis(200), Duration.ofMillis(500));
		this.probe.start();
		this.redis.kill();
		availability.failed("load", new IllegalStateException("connection refused"));
		assertThat(availability.isDegraded()).isTrue();
		await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(availability::isDegraded);
		this.redis.restart();
		await().atMost(Duration.ofSeconds(10)).until(() -> !availability.isDegraded());
	}

	/**
	 * A probe that failed just before Redis came back must not hold the instance alone for another retry interval
	 * or two: no caller waits on the probe, so it asks again within a second whatever the retry interval says.
	 * Found by the reliability harness (experiment 4: Redis stopped, rejoin took up to twice the interval).
	 */
	@Test
	void redisAnsweringAgainJustAfterAFailedProbeIsNoticedWithinASecond() {
		Config config = new Config();
		config.useSingleServer().setAddress(this.redis.url()).setRetryAttempts(0).setTimeout(200);
		this.redisson = Redisson.create(config);
		RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(3), Duration.ZERO);
		AtomicInteger probesFailed = new AtomicInteger();
		availability.onFailure((operation) -> {
			if (operation.equals("probe")) {
				probesFailed.incrementAndGet();
			}
		});
		this.probe = new RedisAvailabilityProbe(this.redisson, new RedisKeys("probe-test:"), availability,
				Duration.ofSeconds(3), Duration.ofMillis(200));
		this.probe.start();
		this.redis.kill();
		availability.failed("load", new IllegalStateException("connection refused"));
		await().atMost(Duration.ofSeconds(10)).until(() -> probesFailed.get() > 0);
		this.redis.restart();
		long restarted = System.nanoTime();
		await().atMost(Duration.ofSeconds(10)).until(() -> !availability.isDegraded());
		assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(Duration.ofMillis(1500));
	}

}
