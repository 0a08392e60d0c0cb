package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

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
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;

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

	private final @Nullable ActorTokens actor;

	ProviderGrants(ProviderSettings settings, ReactiveOAuth2AuthorizedClientProvider primary,
			ReactiveOAuth2AuthorizedClientProvider refresh, @Nullable TokenRevoker revoker,
			ObservationRegistry observations, Clock clock) {
		this(settings, primary, refresh, revoker, observations, clock, null);
	}

	private ProviderGrants(ProviderSettings settings, ReactiveOAuth2AuthorizedClientProvider primary,
			ReactiveOAuth2AuthorizedClientProvider refresh, @Nullable TokenRevoker revoker,
			ObservationRegistry observations, Clock clock, @Nullable ActorTokens actor) {
		this.settings = settings;
		this.primary = primary;
		this.refresh = refresh;
		this.revoker = revoker;
		this.retry = new TokenRequestRetry(settings.retry());
		this.observations = observations;
		this.clock = clock;
		this.actor = actor;
	}

	/**
	 * Returns these grants with an actor: each token exchange also sends the actor's token (RFC 8693
	 * {@code actor_token}), asked for at each exchange so that it is the actor's current one.
	 *
	 * <p>An actor token can stop being valid before its expiry (revoked, or expired early at the provider); the
	 * token endpoint then refuses the exchange with {@code invalid_request} (RFC 8693 §2.2.2, and Keycloak) or
	 * {@code invalid_grant} (many other servers), the code it gives a refused subject token too: the RFC has one
	 * code for both, and servers do not say which token they refused. So an exchange refused with either code
	 * after sending an actor token has the actor token replaced (only if it is still
	 * the one held: see {@link ActorTokens#replaceRefused}) and is sent once more, with the replacement; a second
	 * refusal ends it. A refused subject token costs at most that one renewal: a replacement refused as well
	 * tells the actor token was not the cause, and renewals of refused actor tokens then pause for the actor's
	 * {@code refresh.failure-cooldown}, during which refusals only take a token the actor already holds.
	 * @param actor where the actor's token comes from
	 * @return the grants with the actor
	 */
	public ProviderGrants withActor(ActorTokens actor) {
		return new ProviderGrants(this.settings, this.primary, this.refresh, this.revoker, this.observations,
				this.clock, actor);
	}

	/**
	 * Obtains a new authorized client.
	 * @param registration the provider's registration
	 * @param principal whom the token is for
	 * @param current the client held now, whose refresh token is used when it has one; may be null
	 * @return the new authorized client, and whether it continues {@code current}'s session
	 */
	public Mono<ObtainedClient> obtain(ClientRegistration registration, Authentication principal,
			@Nullable OAuth2AuthorizedClient current) {
		return obtain(registration, principal, current, null);
	}

	/**
	 * Obtains a new authorized client on behalf of a subject token's subject (token exchange, JWT bearer).
	 * @param registration the provider's registration
	 * @param principal whom the token is stored for
	 * @param current the client held now, whose refresh token is used when it has one; may be null
	 * @param subjectToken the token whose subject the new token acts for, or null
	 * @return the new authorized client, and whether it continues {@code current}'s session
	 */
	public Mono<ObtainedClient> obtain(ClientRegistration registration, Authentication principal,
			@Nullable OAuth2AuthorizedClient current, @Nullable OAuth2Token subjectToken) {
		return Mono.defer(() -> {
			// One budget (retry.timeout) for the refresh and the primary grant after it. Measured like Reactor's
			// own timers, not with the injected clock, which tests move.
			long deadline = System.nanoTime() + this.settings.retry().timeout().toNanos();
			boolean login = AuthorizationGrantType.AUTHORIZATION_CODE.equals(registration.getAuthorizationGrantType());
			// A login's tokens come from the user at the authorization endpoint, never from another grant: without
			// a refresh token the user must log in again.
			Mono<ObtainedClient> fresh = login ? Mono.error(() -> loginRequired(registration))
					: Mono.defer(() -> (subjectToken != null && this.actor != null)
							? exchangeWithActor(registration, principal, subjectToken, this.actor, deadline)
							: primary(registration, principal, subjectToken, null, deadline))
						.map(ObtainedClient::anew);
			if (current == null || !usable(current.getRefreshToken())) {
				return fresh;
			}
			Mono<ObtainedClient> refreshed = request(this.refresh,
					OAuth2AuthorizationContext.withAuthorizedClient(current).principal(principal).build(),
					"refresh_token", deadline)
				.map(ObtainedClient::refreshed);
			return login ? refreshed
					: refreshed.onErrorResume(TokenErrors::leavesPrimaryGrantWorthTrying, (ex) -> fresh);
		}).onErrorMap((ex) -> TokenAcquisitionException.of(this.settings.registrationId(), ex));
	}

	private Mono<OAuth2AuthorizedClient> primary(ClientRegistration registration, Authentication principal,
			@Nullable OAuth2Token subjectToken, @Nullable Supplier<Mono<OAuth2Token>> actorToken, long deadline) {
		return request(this.primary, OAuth2AuthorizationContext.withClientRegistration(registration)
			.principal(principal)
			.attributes((attributes) -> {
				if (subjectToken != null) {
					attributes.put(DelegatedGrantProvider.SUBJECT_TOKEN, subjectToken);
				}
				if (actorToken != null) {
					attributes.put(DelegatedGrantProvider.ACTOR_TOKEN, actorToken);
				}
			})
			.build(), registration.getAuthorizationGrantType().getValue(), deadline);
	}

	/**
	 * A token exchange with an actor, sent once more with a replaced actor token when the token endpoint refuses
	 * one of its tokens (see {@link #withActor(ActorTokens)}).
	 */
	private Mono<OAuth2AuthorizedClient> exchangeWithActor(ClientRegistration registration, Authentication principal,
			OAuth2Token subjectToken, ActorTokens actor, long deadline) {
		AtomicReference<@Nullable OAuth2Token> sent = new AtomicReference<>();
		return primary(registration, principal, subjectToken,
				() -> Mono.defer(actor::token).doOnNext(sent::set), deadline)
			.onErrorResume(ProviderGrants::refusesADelegationToken, (refusal) -> {
				OAuth2Token refused = sent.get();
				if (refused == null) {
					return Mono.error(refusal);
				}
				return actor.replaceRefused(refused)
					.filter((replacement) -> !replacement.getTokenValue().equals(refused.getTokenValue()))
					.switchIfEmpty(Mono.error(refusal))
					.flatMap((replacement) -> primary(registration, principal, subjectToken,
							() -> Mono.just(replacement), deadline)
						.doOnSuccess((client) -> actor.retried(true))
						.doOnError(ProviderGrants::refusesADelegationToken, (ex) -> actor.retried(false)));
			});
	}

	/**
	 * Whether a token exchange was refused for one of its tokens: {@code invalid_request} is RFC 8693's code for
	 * an invalid subject or actor token, {@code invalid_grant} the one many servers give instead.
	 */
	private static boolean refusesADelegationToken(Throwable failure) {
		return TokenErrors.isInvalidGrant(failure)
				|| OAuth2ErrorCodes.INVALID_REQUEST.equals(TokenErrors.errorCode(failure));
	}

	private static TokenAcquisitionException loginRequired(ClientRegistration registration) {
		return new TokenAcquisitionException(registration.getRegistrationId(), TokenErrors.LOGIN_REQUIRED,
				"no usable refresh token: the user must log in again", false, null);
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
	 * when tracing is on) tagged with provider, grant, {@code outcome} and a low-cardinality {@code reason}. The
	 * observation is stopped exactly once, however the request ends:
	 * <ul>
	 * <li>{@code success}, reason {@code none}: a token came back;</li>
	 * <li>{@code failure}, reason the OAuth2 error code, {@code timeout}, {@code connection_error}, {@code 5xx}...:
	 * the provider refused, failed or did not answer in time. Running out of the overall {@code retry.timeout} is
	 * a failure with reason {@code timeout}: the budget is enforced here, inside the observed request, so that it
	 * ends as an error and not as a cancellation;</li>
	 * <li>{@code cancelled}, reason {@code none}: nobody waits for the answer any more (the subscriber went away
	 * before the provider answered).</li>
	 * </ul>
	 */
	private Mono<OAuth2AuthorizedClient> request(ReactiveOAuth2AuthorizedClientProvider provider,
			OAuth2AuthorizationContext context, String grant, long deadline) {
		Duration requestTimeout = this.settings.retry().requestTimeout();
		return Mono.defer(() -> {
			Observation observation = Observation.createNotStarted(OBSERVATION, this.observations)
				.contextualName("token " + grant)
				.lowCardinalityKeyValue("provider", this.settings.registrationId())
				.lowCardinalityKeyValue("grant", grant)
				.start();
			// A subscriber may still cancel after the value or the error went by: only the first end counts.
			AtomicBoolean open = new AtomicBoolean(true);
			return provider.authorize(context)
				.timeout(requestTimeout)
				.retryWhen(this.retry)
				.timeout(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
				.switchIfEmpty(Mono.error(() -> new TokenAcquisitionException(this.settings.registrationId(),
						"unsupported_grant_type", "no provider handles grant " + grant, false, null)))
				.doOnSuccess((client) -> stop(observation, open, "success", null))
				.doOnError((ex) -> stop(observation, open, "failure", ex))
				.doOnCancel(() -> stop(observation, open, "cancelled", null));
		});
	}

	private static void stop(Observation observation, AtomicBoolean open, String outcome,
			@Nullable Throwable failure) {
		if (!open.compareAndSet(true, false)) {
			return;
		}
		// Micrometer reserves the "error" key for the exception's class; "reason" carries the code.
		observation.lowCardinalityKeyValue("outcome", outcome)
			.lowCardinalityKeyValue("reason", (failure != null) ? TokenErrors.metricTag(failure) : "none");
		if (failure != null) {
			observation.error(failure);
		}
		observation.stop();
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
