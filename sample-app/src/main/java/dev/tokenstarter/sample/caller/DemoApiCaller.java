package dev.tokenstarter.sample.caller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.tokenstarter.client.TokenClients;

/**
 * Calls each provider's API at a fixed interval through {@link TokenClients}, as an application's own code
 * would, and logs one line per call. The token starter's {@code dev.tokenstarter.tokens} logger tells the token
 * side of the story.
 */
public class DemoApiCaller implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog("dev.tokenstarter.sample.calls");

	private final TokenClients clients;

	private final List<String> providers;

	private final Duration interval;

	private final String path;

	private final List<Disposable> running = new ArrayList<>();

	public DemoApiCaller(TokenClients clients, List<String> providers, Duration interval, String path) {
		this.clients = clients;
		this.providers = providers;
		this.interval = interval;
		this.path = path;
	}

	@Override
	public synchronized void start() {
		for (String provider : this.providers) {
			WebClient webClient = this.clients.webClient(provider);
			// A call slower than the interval drops ticks rather than piling calls up behind it.
			this.running.add(Flux.interval(this.interval)
				.onBackpressureDrop()
				.concatMap((tick) -> call(provider, webClient), 0)
				.subscribe());
		}
	}

	private Mono<Void> call(String provider, WebClient webClient) {
		return webClient.get()
			.uri(this.path)
			.retrieve()
			.toBodilessEntity()
			.doOnNext((response) -> logger.info(provider + ": GET " + this.path + " answered " + response.getStatusCode().value()))
			.then()
			.onErrorResume((failure) -> {
				logger.warn(provider + ": GET " + this.path + " failed: " + describe(failure));
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

}
