package dev.tokenstarter.store;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisResponseTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command that timed out while Redis went on answering other commands is a slow answer, not an outage: taking
 * the instance off Redis for it put a loaded fleet's instances on their local locks, each renewing alone.
 */
class RedisAvailabilityTests {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private final RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(5), TIMEOUT,
			this.nanos::get);

	@Test
	void aTimeoutWhileOtherCommandsWereAnsweredWithinTheTimeoutIsNoOutage() {
		this.availability.succeeded();
		advance(250);

		this.availability.failed("load", new TimeoutException("Did not observe any item or terminal signal"));
		this.availability.failed("lock", new RedisResponseTimeoutException("no answer"));

		assertThat(this.availability.isDegraded()).isFalse();
		assertThat(this.availability.shouldTry()).isTrue();
	}

	@Test
	void aTimeoutAfterRedisAnsweredNothingForAWholeTimeoutIsAnOutage() {
		this.availability.succeeded();
		advance(301);

		this.availability.failed("load", new TimeoutException("Did not observe any item or terminal signal"));

		assertThat(this.availability.isDegraded()).isTrue();
		assertThat(this.availability.shouldTry()).isFalse();
	}

	@Test
	void aFailureOtherThanATimeoutIsAnOutageAtOnce() {
		this.availability.succeeded();
		advance(10);

		this.availability.failed("load", new RedisConnectionException("Connection refused", new IOException()));

		assertThat(this.availability.isDegraded()).isTrue();
	}

	@Test
	void everyTimeoutIsAnOutageWhenNothingWasEverAnswered() {
		this.availability.failed("load", new TimeoutException("Did not observe any item or terminal signal"));

		assertThat(this.availability.isDegraded()).isTrue();
	}

	@Test
	void aTimeoutIsAnOutageOnceDegradedModeEndedAndNothingWasAnsweredSince() {
		this.availability.failed("load", new RedisConnectionException("Connection refused", new IOException()));
		advance(5_000);
		this.availability.succeeded();
		assertThat(this.availability.isDegraded()).isFalse();
		advance(400);

		this.availability.failed("save", new RedisResponseTimeoutException("no answer"));

		assertThat(this.availability.isDegraded()).isTrue();
	}

	private void advance(long millis) {
		this.nanos.addAndGet(Duration.ofMillis(millis).toNanos());
	}

}
