package dev.tokenstarter.benchmarks.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.web.client.RestClient;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;

/**
 * The users: one thread per user calling the user's own resource with the user's key, each call through the
 * {@code RestClient} of an instance drawn at random (a load balancer without session affinity), with a pause
 * between calls; all released at once and stopped together.
 */
final class UserCallers {

	private final List<CallLog> logs;

	private final long startNanos;

	private final long endNanos;

	private UserCallers(List<CallLog> logs, long startNanos, long endNanos) {
		this.logs = logs;
		this.startNanos = startNanos;
		this.endNanos = endNanos;
	}

	static UserCallers run(List<RestClient> clients, List<User> users, Duration pause, Duration duration)
			throws InterruptedException {
		CountDownLatch gate = new CountDownLatch(1);
		List<CallLog> logs = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		// Set just before the gate opens, so the run lasts its duration from the release; the latch publishes it.
		long[] deadline = new long[1];
		for (User user : users) {
			CallLog log = new CallLog();
			logs.add(log);
			Thread thread = new Thread(() -> call(clients, user, log, gate, deadline, pause), "user-" + threads.size());
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		long start = System.nanoTime();
		deadline[0] = start + duration.toNanos();
		gate.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		return new UserCallers(logs, start, System.nanoTime());
	}

	private static void call(List<RestClient> clients, User user, CallLog log, CountDownLatch gate,
			long[] deadline, Duration pause) {
		String path = "/resource/" + user.name();
		try {
			gate.await();
			while (System.nanoTime() - deadline[0] < 0) {
				RestClient client = clients.get(ThreadLocalRandom.current().nextInt(clients.size()));
				long start = System.nanoTime();
				try {
					client.get().uri(path).attributes(TokenKeyAttributes.tokenKey(user.key())).retrieve().toBodilessEntity();
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

	Duration duration() {
		return Duration.ofNanos(this.endNanos - this.startNanos);
	}

	/**
	 * A signed-in user and the key of the user's token.
	 */
	record User(String name, TokenKey key) {
	}

}
