package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.config.ProviderSettings;

/**
 * Obtains tokens for one provider through Spring Security's authorized-client providers: the refresh token
 * grant whenever a refresh token is held, falling back to the primary grant when the provider answers
 * {@code invalid_grant}, and the primary grant otherwise. Each token request is retried on transient failures
 * and bounded in time; whatever fails ends as a {@link TokenAcquisitionException}. Also revokes tokens when the
 * provider has a revocation endpoint.
 */
public class ProviderGrants {

	/** Name of the observation, and of the timer it becomes, around every token request. */
	public static final String OBSERVATION = "token.requests";

	private static final Log logger = LogFactory.getLog(ProviderGrants.class);

	private final ProviderSettings settings;

	private final ReactiveOAuth2AuthorizedClientProvider primary;

	private final ReactiveOAuth2AuthorizedClientProvider refresh;

	private final @Nullable TokenRevoker revoker;

	private final TokenRequestRetry retry;

	private final ObservationRegistry observations;

	private final Clock clock;

	public ProviderGrants(ProviderSettings settings, ReactiveOAuth2AuthorizedClientProvider primary,
			ReactiveOAuth2AuthorizedClientProvider refresh, @Nullable TokenRevoker revoker,
			ObservationRegistry observations, Clock clock) {
		this.settings = settings;
		this.primary = primary;
		this.refresh = refresh;
		this.revoker = revoker;
		this.retry = new TokenRequestRetry(settings.retry());
		this.observations = observations;
		this.clock = clock;
	}

	/**
	 * Obtains a new authorized client.
	 * @param registration the provider's registration
	 * @param principal whom the token is for
	 * @param current the client held now, whose refresh token is used when it has one; may be null
	 * @return the new authorized client
	 */
	public Mono<OAuth2AuthorizedClient> obtain(ClientRegistration registration, Authentication principal,
			@Nullable OAuth2AuthorizedClient current) {
		Mono<OAuth2AuthorizedClient> fresh = Mono.defer(() -> request(this.primary,
				OAuth2AuthorizationContext.withClientRegistration(registration).principal(principal).build(),
				registration.getAuthorizationGrantType().getValue()));
		Mono<OAuth2AuthorizedClient> result = fresh;
		if (current != null && usable(current.getRefreshToken())) {
			result = request(this.refresh, OAuth2AuthorizationContext.withAuthorizedClient(current)
				.principal(principal)
				.build(), "refresh_token")
				.onErrorResume(TokenErrors::isInvalidGrant, (ex) -> fresh);
		}
		return result.timeout(this.settings.retry().timeout())
			.onErrorMap((ex) -> TokenAcquisitionException.of(this.settings.registrationId(), ex));
	}

	/**
	 * A refresh token is worth presenting unless its stated lifetime is over: then the primary grant goes first
	 * instead of after a refused refresh.
	 */
	private boolean usable(@Nullable OAuth2RefreshToken refreshToken) {
		return refreshToken != null
				&& (refreshToken.getExpiresAt() == null || refreshToken.getExpiresAt().isAfter(this.clock.instant()));
	}

	/**
	 * One token request with its retries, observed as a {@code token.requests} observation (a timer, and a span
	 * when tracing is on) tagged with provider, grant, outcome and a low-cardinality reason (the OAuth2 error
	 * code, {@code timeout}, {@code 5xx}...).
	 */
	private Mono<OAuth2AuthorizedClient> request(ReactiveOAuth2AuthorizedClientProvider provider,
			OAuth2AuthorizationContext context, String grant) {
		Duration requestTimeout = this.settings.retry().requestTimeout();
		return Mono.defer(() -> {
			Observation observation = Observation.createNotStarted(OBSERVATION, this.observations)
				.contextualName("token " + grant)
				.lowCardinalityKeyValue("provider", this.settings.registrationId())
				.lowCardinalityKeyValue("grant", grant)
				.start();
			return provider.authorize(context)
				.timeout(requestTimeout)
				.retryWhen(this.retry)
				.switchIfEmpty(Mono.error(() -> new TokenAcquisitionException(this.settings.registrationId(),
						"unsupported_grant_type", "no provider handles grant " + grant, false, null)))
				.doOnSuccess((client) -> observation.lowCardinalityKeyValue("outcome", "success")
					.lowCardinalityKeyValue("reason", "none")
					.stop())
				.doOnError((ex) -> {
					// Micrometer reserves the "error" key for the exception's class; "reason" carries the code.
					observation.lowCardinalityKeyValue("outcome", "failure")
						.lowCardinalityKeyValue("reason", TokenErrors.metricTag(ex));
					observation.error(ex);
					observation.stop();
				});
		});
	}

	/**
	 * Revokes a client's tokens at the provider, best effort: some providers (WSO2) accept any token, and a token
	 * that cannot be revoked must still be forgotten, so a failure is logged and reported as {@code false}
	 * rather than raised.
	 * @param client the authorized client whose tokens are revoked
	 * @return whether the provider accepted the revocation; false when it has no revocation endpoint
	 */
	public Mono<Boolean> revoke(OAuth2AuthorizedClient client) {
		if (this.revoker == null) {
			return Mono.just(false);
		}
		return this.revoker.revoke(client)
			.timeout(this.settings.retry().requestTimeout())
			.thenReturn(true)
			.onErrorResume((ex) -> {
				logger.warn("Could not revoke the token of provider '" + this.settings.registrationId() + "': "
						+ TokenErrors.errorCode(ex) + " (" + TokenErrors.description(ex) + ")");
				return Mono.just(false);
			});
	}

}
