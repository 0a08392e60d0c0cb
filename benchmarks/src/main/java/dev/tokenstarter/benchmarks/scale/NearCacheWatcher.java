package dev.tokenstarter.benchmarks.scale;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches every instance's near cache on one thread and records when each first showed each token: the engine
 * has no hook telling when a change message arrived, and the near cache is what a caller is served. With
 * hundreds of instances one pass takes longer than the pause between passes; a sighting is late by at most one
 * pass, which {@link #passNanos()} reports.
 */
final class NearCacheWatcher implements AutoCloseable {

	private static final long PAUSE_NANOS = 500_000;

	private final List<ScaleInstance> instances;

	/** For each token, when each instance first showed it. */
	private final Map<String, Map<Integer, Long>> sightings = new HashMap<>();

	private final Thread thread;

	private volatile boolean running = true;

	private volatile long longestPassNanos;

	private NearCacheWatcher(List<ScaleInstance> instances) {
		this.instances = instances;
		this.thread = new Thread(this::watch, "near-cache-watcher");
		this.thread.setDaemon(true);
	}

	static NearCacheWatcher start(List<ScaleInstance> instances) {
		NearCacheWatcher watcher = new NearCacheWatcher(instances);
		watcher.thread.start();
		return watcher;
	}

	private void watch() {
		String[] shown = new String[this.instances.size()];
		while (this.running) {
			long start = System.nanoTime();
			for (int i = 0; i < shown.length; i++) {
				String token = this.instances.get(i).cachedToken();
				if (token != null && !Objects.equals(token, shown[i])) {
					shown[i] = token;
					long now = System.nanoTime();
					synchronized (this.sightings) {
						this.sightings.computeIfAbsent(token, (key) -> new HashMap<>()).putIfAbsent(i, now);
					}
				}
			}
			this.longestPassNanos = Math.max(this.longestPassNanos, System.nanoTime() - start);
			LockSupport.parkNanos(PAUSE_NANOS);
		}
	}

	/**
	 * Returns, for each instance that showed the token, how long after {@code fromNanos} it first did.
	 */
	List<Long> delays(String token, long fromNanos) {
		synchronized (this.sightings) {
			List<Long> delays = new ArrayList<>();
			this.sightings.getOrDefault(token, Map.of()).values().forEach((nanos) -> delays.add(nanos - fromNanos));
			return delays;
		}
	}

	/**
	 * The longest pass over all near caches so far: how late a sighting can be.
	 */
	long passNanos() {
		return this.longestPassNanos;
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.join();
	}

}
