package dev.tokenstarter.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Real concurrency for tests: every task on its own thread, all released at once.
 */
public final class Threads {

	private Threads() {
	}

	public static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<T>> futures = new ArrayList<>();
			for (Callable<T> task : tasks) {
				futures.add(pool.submit(() -> {
					start.await();
					return task.call();
				}));
			}
			start.countDown();
			List<T> results = new ArrayList<>();
			for (Future<T> future : futures) {
				results.add(future.get(60, TimeUnit.SECONDS));
			}
			return results;
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * Runs {@code callers} tasks together, each told its index.
	 */
	public static <T> List<T> runTogether(int callers, IndexedTask<T> task) throws Exception {
		List<Callable<T>> tasks = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			int caller = i;
			tasks.add(() -> task.call(caller));
		}
		return runTogether(tasks);
	}

	public static <T> List<T> runTogether(int threads, Callable<T> task) throws Exception {
		List<Callable<T>> tasks = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			tasks.add(task);
		}
		return runTogether(tasks);
	}

	/**
	 * A task told which of the callers it is.
	 */
	@FunctionalInterface
	public interface IndexedTask<T> {

		T call(int caller) throws Exception;

	}

}
