package dev.tokenstarter.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move by hand, so expiry and refresh-ahead are tested without sleeping.
 */
public final class MutableClock extends Clock {

	private final AtomicLong millis;

	public MutableClock(Instant start) {
		this.millis = new AtomicLong(start.toEpochMilli());
	}

	public static MutableClock startingNow() {
		return new MutableClock(Instant.now());
	}

	public void advance(Duration duration) {
		this.millis.addAndGet(duration.toMillis());
	}

	@Override
	public long millis() {
		return this.millis.get();
	}

	@Override
	public Instant instant() {
		return Instant.ofEpochMilli(this.millis.get());
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("Tests use UTC only");
	}

}
