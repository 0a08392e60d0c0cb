package dev.tokenstarter.reliability.fleet;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.web.client.RestClient;

/**
 * Callers of the API through the starter's {@code RestClient}, each at a fixed rate on a thread of its own, the
 * start of each staggered over one period so the fleet's calls are spread evenly. Every call carries an id of its
 * own, which stays the same when the starter resends it after a 401, so the API stub can count resends per call.
 * What each call asks for (the application's resource with the application's token, or a user's) is the
 * {@link Target} the callers are started with.
 */
final class FleetCallers {

	private final RestClient client;

	private final FleetReport report;

	private final String instance;

	private final int callers;

	private final Duration pace;

	private final AtomicLong calls = new AtomicLong();

	private final ScheduledExecutorService executor;

	FleetCallers(RestClient client, FleetReport report, String instance, int callers, Duration pace) {
		this.client = client;
		this.report = report;
		this.instance = instance;
		this.callers = callers;
		this.pace = pace;
		this.executor = Executors.newScheduledThreadPool(callers);
	}

	void start(Target target) {
		long period = this.pace.toNanos();
		for (int i = 0; i < this.callers; i++) {
			this.executor.scheduleAtFixedRate(() -> call(target), period * i / this.callers, period,
					TimeUnit.NANOSECONDS);
		}
	}

	void stop() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(30, TimeUnit.SECONDS);
	}

	private void call(Target target) {
		String id = this.instance + "-" + this.calls.incrementAndGet();
		long start = System.nanoTime();
		try {
			String serial = target.request(this.client)
				.header("X-Call-Id", id)
				.header("X-Instance", this.instance)
				.retrieve()
				.body(String.class);
			this.report.event("CALL ok " + millisSince(start) + " " + serial);
		}
		catch (RuntimeException ex) {
			// A failed call is what the experiments count: reported with its kind, and the caller goes on.
			this.report.event("CALL fail " + millisSince(start) + " " + ex.getClass().getSimpleName());
		}
	}

	private static long millisSince(long start) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

	/**
	 * What one call asks for, and with which token.
	 */
	@FunctionalInterface
	interface Target {

		/** The application's resource with the application's token. */
		Target APPLICATION = (client) -> client.get().uri("/resource");

		RestClient.RequestHeadersSpec<?> request(RestClient client);

	}

}
