package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Obtains, once every bean exists and before the application starts serving, the tokens of the providers that
 * ask for it ({@code acquire-on-startup}). A provider that also asks to {@code fail-on-startup-error} stops the
 * start-up when its token cannot be had, so a deployment with wrong credentials never goes live; the others log
 * the failure and leave the token to the first call.
 *
 * <p>The other providers are prepared in the background instead: their registrations are resolved and their
 * token endpoints' clients built (a few hundred milliseconds in a fresh JVM), which their first call would
 * otherwise do, and at a cold start of the fleet every instance's first call at the same moment; and their
 * application token's key is known from then on, so the fleet's token, saved by whichever instance obtained it,
 * reaches this instance's memory even before its first call.
 */
public class TokenAcquisitionOnStartup implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(TokenAcquisitionOnStartup.class);

	/** Beyond the retry budget, for the renewal lock of a fleet whose other instance is renewing. */
	private static final Duration WAIT_MARGIN = Duration.ofSeconds(5);

	private final TokenManager tokenManager;

	private final List<ProviderSettings> providers;

	private final List<ProviderSettings> prepared;

	public TokenAcquisitionOnStartup(TokenManager tokenManager, TokenSettings settings, List<String> providers) {
		this.tokenManager = tokenManager;
		Map<Boolean, List<ProviderSettings>> byAcquisition = providers.stream()
			.map(settings::provider)
			.collect(Collectors.partitioningBy(ProviderSettings::acquireOnStartup));
		this.providers = byAcquisition.get(true);
		this.prepared = byAcquisition.get(false);
	}

	@Override
	public void afterSingletonsInstantiated() {
		prepareInBackground();
		List<String> failures = Flux.fromIterable(this.providers)
			.flatMap((provider) -> acquire(provider).onErrorResume((ex) -> failed(provider, ex)))
			.collectList()
			.block();
		if (failures != null && !failures.isEmpty()) {
			throw new IllegalStateException("Tokens required at start-up could not be obtained:\n    "
					+ String.join("\n    ", failures));
		}
	}

	/**
	 * Nothing is asked of the providers, so nothing here fails but a defect, which the first call then meets
	 * and reports as its own failure.
	 */
	private void prepareInBackground() {
		Flux.fromIterable(this.prepared)
			.map(ProviderSettings::registrationId)
			.concatMap((id) -> this.tokenManager.prepare(id).onErrorResume((ex) -> {
				logger.warn("Could not prepare the token requests of provider '" + id + "' (" + ex.getMessage()
						+ "); its first call will");
				return Mono.empty();
			}))
			.subscribeOn(Schedulers.boundedElastic())
			.subscribe();
	}

	private Mono<String> acquire(ProviderSettings provider) {
		Duration wait = provider.retry().timeout().plus(WAIT_MARGIN);
		return this.tokenManager.token(provider.registrationId(), wait)
			.doOnNext((token) -> logger.info("Token of provider '" + provider.registrationId()
					+ "' obtained at start-up (acquire-on-startup)"))
			.then(Mono.empty());
	}

	/**
	 * A failure stops the start-up only for a provider that asks for it; it names the provider and the error,
	 * never a secret.
	 */
	private Mono<String> failed(ProviderSettings provider, Throwable failure) {
		String id = provider.registrationId();
		String reason = TokenAcquisitionException.of(id, failure).getMessage();
		if (provider.failOnStartupError()) {
			return Mono.just(reason + " (token.providers." + id + ".fail-on-startup-error)");
		}
		logger.warn(reason + "; the first call will try again (token.providers." + id + ".acquire-on-startup)");
		return Mono.empty();
	}

}
