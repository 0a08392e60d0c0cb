package dev.tokenstarter.benchmarks.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.springframework.web.client.RestClient;

/**
 * The callers: a number of threads per instance, each calling the API through its instance's
 * {@code RestClient} in a loop with a pause between calls, all released at once (a cold start: no instance
 * holds a token yet) and stopped together.
 */
final class Callers {

	private final List<CallLog> logs;

	private final long startNanos;

	private final long endNanos;

	private Callers(List<CallLog> logs, long startNanos, long endNanos) {
		this.logs = logs;
		this.startNanos = startNanos;
		this.endNanos = endNanos;
	}

	static Callers run(List<RestClient> clients, int callersPerClient, Duration pause, Duration duration)
			throws InterruptedException {
		CountDownLatch gate = new CountDownLatch(1);
		List<CallLog> logs = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		// Set just before the gate opens, so the run lasts its duration from the release; the latch publishes it.
		long[] deadline = new long[1];
		for (RestClient client : clients) {
			for (int i = 0; i < callersPerClient; i++) {
				CallLog log = new CallLog();
				logs.add(log);
				Thread thread = new Thread(() -> call(client, log, gate, deadline, pause), "caller-" + threads.size());
				thread.setDaemon(true);
				threads.add(thread);
				thread.start();
			}
		}
		long start = System.nanoTime();
		deadline[0] = start + duration.toNanos();
		gate.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		return new Callers(logs, start, System.nanoTime());
	}

	private static void call(RestClient client, CallLog log, CountDownLatch gate, long[] deadline, Duration pause) {
		try {
			gate.await();
			while (System.nanoTime() - deadline[0] < 0) {
				long start = System.nanoTime();
				try {
					client.get().uri("/resource").retrieve().toBodilessEntity();
					log.succeeded(start, System.nanoTime() - start);
				}
				catch (RuntimeException ex) {
					log.failed(ex);
				}
				Thread.sleep(pause.toMillis());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	List<CallLog> logs() {
		return this.logs;
	}

	long startNanos() {
		return this.startNanos;
	}

	long endNanos() {
		return this.endNanos;
	}

}
