package dev.tokenstarter.test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * Holds the responses of the stubs that name it until a given number of their requests have arrived, so that a
 * test of "many calls on their way with the same token" does not depend on how fast a loaded machine sends them.
 * Register it with {@code wireMockConfig().extensions(held)}, name it in a stub with
 * {@code withTransformers(ResponsesHeldTogether.NAME)}, and call {@link #holdUntil} before the calls. A test that
 * needs a request on its way (held) while it does something else holds until one request more than it sends, waits
 * for {@link #awaited()} to fall, and {@link #release() releases} the responses.
 */
public final class ResponsesHeldTogether implements ResponseDefinitionTransformerV2 {

	public static final String NAME = "responses-held-together";

	/** Beyond it the responses go out anyway, and the test's counts say what arrived. */
	private static final Duration LONGEST_HOLD = Duration.ofSeconds(30);

	private volatile CountDownLatch arrivals = new CountDownLatch(0);

	/**
	 * Holds the next responses until {@code requests} requests have arrived.
	 */
	public void holdUntil(int requests) {
		this.arrivals = new CountDownLatch(requests);
	}

	/**
	 * Returns how many requests have still to arrive before the held responses go out.
	 */
	public long awaited() {
		return this.arrivals.getCount();
	}

	/**
	 * Lets the held responses go out now, however many requests arrived.
	 */
	public void release() {
		CountDownLatch latch = this.arrivals;
		while (latch.getCount() > 0) {
			latch.countDown();
		}
	}

	@Override
	public ResponseDefinition transform(ServeEvent serveEvent) {
		CountDownLatch latch = this.arrivals;
		latch.countDown();
		try {
			latch.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return serveEvent.getResponseDefinition();
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

	@Override
	public String getName() {
		return NAME;
	}

}
