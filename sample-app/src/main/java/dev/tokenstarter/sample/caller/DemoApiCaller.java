package dev.tokenstarter.sample.caller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Calls each provider's API at a fixed interval, as an application's own code would (through an HTTP interface
 * or a client of {@code TokenClients}), and logs one line per call. The token starter's
 * {@code dev.tokenstarter.tokens} logger tells the token side of the story.
 */
public class DemoApiCaller implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog("dev.tokenstarter.sample.calls");

	private final List<ApiCall> calls;

	private final Duration interval;

	private final List<Disposable> running = new ArrayList<>();

	public DemoApiCaller(List<ApiCall> calls, Duration interval) {
		this.calls = calls;
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		for (ApiCall call : this.calls) {
			// A call slower than the interval drops ticks rather than piling calls up behind it.
			this.running.add(Flux.interval(this.interval)
				.onBackpressureDrop()
				.concatMap((tick) -> call(call), 0)
				.subscribe());
		}
	}

	private Mono<Void> call(ApiCall call) {
		return call.send()
			.get()
			.doOnNext((response) -> logger.info(call.provider() + ": " + call.request() + " answered "
					+ response.getStatusCode().value()))
			.then()
			.onErrorResume((failure) -> {
				logger.warn(call.provider() + ": " + call.request() + " failed: " + describe(failure));
				return Mono.empty();
			});
	}

	private static String describe(Throwable failure) {
		if (failure instanceof WebClientResponseException response) {
			return "HTTP " + response.getStatusCode().value();
		}
		return failure.getClass().getSimpleName() + ": " + failure.getMessage();
	}

	@Override
	public synchronized void stop() {
		this.running.forEach(Disposable::dispose);
		this.running.clear();
	}

	@Override
	public synchronized boolean isRunning() {
		return !this.running.isEmpty();
	}

	/**
	 * One provider's API call.
	 *
	 * @param provider the provider's name
	 * @param request what is called, for the log
	 * @param send makes the call
	 */
	public record ApiCall(String provider, String request, Supplier<Mono<? extends ResponseEntity<?>>> send) {

	}

}
