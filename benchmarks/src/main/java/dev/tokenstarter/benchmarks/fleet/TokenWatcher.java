package dev.tokenstarter.benchmarks.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches every instance's near cache and records when each first showed each token, by polling
 * {@code TokenManager.cachedToken} every {@link #POLL} on one thread: the engine has no hook telling when a
 * change message arrived, and polling sees what a caller would be served. A sighting is late by at most one
 * poll interval.
 */
final class TokenWatcher implements AutoCloseable {

	static final Duration POLL = Duration.ofMillis(1);

	private final List<FleetInstance> instances;

	private final List<Sighting> sightings = new ArrayList<>();

	private final Thread thread;

	private volatile boolean running = true;

	private TokenWatcher(List<FleetInstance> instances) {
		this.instances = instances;
		this.thread = new Thread(this::watch, "token-watcher");
		this.thread.setDaemon(true);
	}

	static TokenWatcher start(List<FleetInstance> instances) {
		TokenWatcher watcher = new TokenWatcher(instances);
		watcher.thread.start();
		return watcher;
	}

	private void watch() {
		String[] shown = new String[this.instances.size()];
		while (this.running) {
			for (int i = 0; i < shown.length; i++) {
				String token = this.instances.get(i).cachedToken();
				if (token != null && !Objects.equals(token, shown[i])) {
					shown[i] = token;
					synchronized (this.sightings) {
						this.sightings.add(new Sighting(i, token, System.nanoTime()));
					}
				}
			}
			LockSupport.parkNanos(POLL.toNanos());
		}
	}

	/**
	 * Returns when each instance first showed each token.
	 */
	List<Sighting> sightings() {
		synchronized (this.sightings) {
			return List.copyOf(this.sightings);
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.join();
	}

	record Sighting(int instance, String token, long nanos) {
	}

}
