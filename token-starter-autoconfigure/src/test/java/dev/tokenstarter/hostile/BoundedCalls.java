package dev.tokenstarter.hostile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs calls on threads of their own and fails the test when any of them has not completed within a bound: a
 * hostile provider may make a caller fail, never hang.
 */
final class BoundedCalls implements AutoCloseable {

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "bounded-call");
		thread.setDaemon(true);
		return thread;
	});

	private final Duration bound;

	BoundedCalls(Duration bound) {
		this.bound = bound;
	}

	Outcome call(Call call) {
		return concurrently(List.of(call)).get(0);
	}

	/**
	 * Starts every call at once and waits for them all, each within the bound.
	 */
	List<Outcome> concurrently(List<Call> calls) {
		List<Future<Outcome>> futures = new ArrayList<>();
		calls.forEach((call) -> futures.add(this.threads.submit(call.action())));
		long deadline = System.nanoTime() + this.bound.toNanos();
		List<Outcome> outcomes = new ArrayList<>();
		for (int i = 0; i < futures.size(); i++) {
			try {
				outcomes.add(futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
			}
			catch (TimeoutException ex) {
				futures.forEach((future) -> future.cancel(true));
				fail(calls.get(i).label() + " did not complete within " + this.bound.toMillis() + " ms");
			}
			catch (ExecutionException ex) {
				throw new AssertionError(calls.get(i).label() + " failed outside the call", ex.getCause());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("Interrupted waiting for " + calls.get(i).label(), ex);
			}
		}
		return outcomes;
	}

	@Override
	public void close() {
		this.threads.shutdownNow();
	}

	/**
	 * A call and the name it is reported under.
	 *
	 * @param label the name, such as "RestClient #2"
	 * @param action the call, which reports its own failures in its outcome
	 */
	record Call(String label, Callable<Outcome> action) {
	}

}
