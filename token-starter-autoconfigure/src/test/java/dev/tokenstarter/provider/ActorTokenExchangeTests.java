package dev.tokenstarter.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.ActorVerifyingTokenEndpoint;
import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Token exchange with an actor (RFC 8693 delegation) against a strict authorization server, which exchanges a
 * subject token only with an actor token it issued and that is still valid: the actor configured for the provider
 * (the application's own client-credentials token at the same server) or named by the key (another client's
 * token) is sent with every exchange, is the actor's current token, is renewed once when the server refuses it
 * before its expiry, and tokens exchanged for two actors are never the same token. Verdicts come from what the
 * server saw.
 */
class ActorTokenExchangeTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final Duration LIFETIME = Duration.ofSeconds(300);

	private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

	private final MutableClock clock = MutableClock.startingNow();

	private final ActorVerifyingTokenEndpoint server = ActorVerifyingTokenEndpoint.start(this.clock,
			Map.of("gateway", "gateway-secret", "auditor", "auditor-secret"), LIFETIME);

	@AfterEach
	void stop() {
		this.server.close();
	}

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
			.withBean(Clock.class, () -> this.clock)
			.withPropertyValues("token.scheduler.enabled=false", "token.defaults.retry.initial-backoff=20ms",
					"token.defaults.refresh.failure-cooldown=0s",
					// The gateway exchanges its callers' tokens, acting as itself.
					"token.providers.orders.token-uri=" + this.server.tokenUri(),
					"token.providers.orders.client-id=gateway", "token.providers.orders.client-secret=gateway-secret",
					"token.providers.orders.grant-type=token-exchange", "token.providers.orders.audience=orders-api",
					"token.providers.orders.actor.provider=gateway",
					// The same client at the same server, with the client-credentials grant: the actor's token.
					"token.providers.gateway.token-uri=" + this.server.tokenUri(),
					"token.providers.gateway.client-id=gateway",
					"token.providers.gateway.client-secret=gateway-secret",
					"token.providers.auditor.token-uri=" + this.server.tokenUri(),
					"token.providers.auditor.client-id=auditor",
					"token.providers.auditor.client-secret=auditor-secret",
					"token.providers.impostor.token-uri=" + this.server.tokenUri(),
					"token.providers.impostor.client-id=auditor",
					"token.providers.impostor.client-secret=wrong-secret");
	}

	private OAuth2AccessToken subject(String value) {
		this.server.acceptSubject(value);
		Instant now = this.clock.instant();
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plus(Duration.ofHours(1)));
	}

	@Test
	void everyExchangeActsWithTheApplicationsOwnClientCredentialsTokenOfTheSameServer() {
		TokenKey alice = TokenKey.forProvider("orders").subjectToken(subject("S-alice")).build();
		TokenKey bob = TokenKey.forProvider("orders").subjectToken(subject("S-bob")).build();
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);

			String forAlice = tokens.token(alice).block(BOUND).accessToken().getTokenValue();
			String forBob = tokens.token(bob).block(BOUND).accessToken().getTokenValue();

			assertThat(this.server.refusals()).isEmpty();
			assertThat(forAlice).isNotEqualTo(forBob);
			assertThat(this.server.actorOf(forAlice)).isEqualTo("gateway");
			assertThat(this.server.actorOf(forBob)).isEqualTo("gateway");
			List<Map<String, String>> exchanges = this.server.exchanges();
			assertThat(exchanges).hasSize(2)
				.allSatisfy((exchange) -> assertThat(exchange).containsEntry("actor_token_type", ACCESS_TOKEN_TYPE)
					.containsEntry("audience", "orders-api"));
			// One actor token, held like any application token, serves both exchanges.
			assertThat(exchanges.get(0).get("actor_token")).isEqualTo(exchanges.get(1).get("actor_token"))
				.isEqualTo(tokens.token("gateway").block(BOUND).accessToken().getTokenValue());
			assertThat(this.server.clientCredentialsIssued()).isEqualTo(1);
		});
	}

	@Test
	void theActorTokenSentIsTheActorsCurrentOneOnceTheFirstHasExpired() {
		TokenKey alice = TokenKey.forProvider("orders").subjectToken(subject("S-alice")).build();
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			String first = tokens.token(alice).block(BOUND).accessToken().getTokenValue();
			String firstActor = this.server.exchanges().get(0).get("actor_token");

			// Both the exchanged token and the actor's are over, by the server's clock and the engine's.
			this.clock.advance(LIFETIME.plusSeconds(1));
			String second = tokens.token(alice).block(BOUND).accessToken().getTokenValue();

			assertThat(this.server.refusals()).isEmpty();
			assertThat(second).isNotEqualTo(first);
			assertThat(this.server.exchanges()).hasSize(2);
			assertThat(this.server.exchanges().get(1).get("actor_token")).isNotEqualTo(firstActor);
			assertThat(this.server.clientCredentialsIssued()).isEqualTo(2);
			assertThat(this.server.actorOf(second)).isEqualTo("gateway");
		});
	}

	@Test
	void tokensExchangedForTwoActorsAreNeverTheSameToken() {
		OAuth2AccessToken carol = subject("S-carol");
		TokenKey asGateway = TokenKey.forProvider("orders").subjectToken(carol).build();
		TokenKey asAuditor = TokenKey.forProvider("orders").subjectToken(carol).actor("auditor").build();
		assertThat(asAuditor).isNotEqualTo(asGateway);
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);

			String gateway = tokens.token(asGateway).block(BOUND).accessToken().getTokenValue();
			String auditor = tokens.token(asAuditor).block(BOUND).accessToken().getTokenValue();

			assertThat(this.server.refusals()).isEmpty();
			assertThat(auditor).isNotEqualTo(gateway);
			assertThat(this.server.actorOf(gateway)).isEqualTo("gateway");
			assertThat(this.server.actorOf(auditor)).isEqualTo("auditor");
			assertThat(tokens.token(asGateway).block(BOUND).accessToken().getTokenValue()).isEqualTo(gateway);
			assertThat(tokens.token(asAuditor).block(BOUND).accessToken().getTokenValue()).isEqualTo(auditor);
			assertThat(this.server.exchanges()).hasSize(2);
		});
	}

	@Test
	void anActorTokenRevokedAtAServerThatAnswersAsTheRfcSaysIsRenewedOnceToo() {
		this.server.refusingInvalidTokensAsTheRfcSays();
		anActorTokenRevokedAtTheServerIsRenewedOnceAndTheRefusedExchangeSentAgainWithTheNewOne();
	}

	@Test
	void anActorTokenRevokedAtTheServerIsRenewedOnceAndTheRefusedExchangeSentAgainWithTheNewOne() {
		TokenKey alice = TokenKey.forProvider("orders").subjectToken(subject("S-alice")).build();
		TokenKey bob = TokenKey.forProvider("orders").subjectToken(subject("S-bob")).build();
		TokenKey carol = TokenKey.forProvider("orders").subjectToken(subject("S-carol")).build();
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token(alice).block(BOUND);
			String revoked = this.server.exchanges().get(0).get("actor_token");
			this.server.revoke(revoked);

			String forBob = tokens.token(bob).block(BOUND).accessToken().getTokenValue();
			String forCarol = tokens.token(carol).block(BOUND).accessToken().getTokenValue();

			assertThat(this.server.refusals()).containsExactly("the actor token has been revoked");
			assertThat(this.server.actorOf(forBob)).isEqualTo("gateway");
			assertThat(this.server.actorOf(forCarol)).isEqualTo("gateway");
			List<Map<String, String>> exchanges = this.server.exchanges();
			assertThat(exchanges).hasSize(4);
			assertThat(exchanges.get(1)).containsEntry("subject_token", "S-bob").containsEntry("actor_token", revoked);
			assertThat(exchanges.get(2)).containsEntry("subject_token", "S-bob");
			// One new actor token, held like any application token, serves the retry and what comes after it.
			String renewed = tokens.token("gateway").block(BOUND).accessToken().getTokenValue();
			assertThat(renewed).isNotEqualTo(revoked);
			assertThat(exchanges.get(2).get("actor_token")).isEqualTo(exchanges.get(3).get("actor_token"))
				.isEqualTo(renewed);
			assertThat(this.server.clientCredentialsIssued()).isEqualTo(2);
		});
	}

	@Test
	void subjectTokensTheServerRefusesRenewTheActorTokenAtMostOncePerCooldown() {
		TokenKey alice = TokenKey.forProvider("orders").subjectToken(subject("S-alice")).build();
		Instant now = this.clock.instant();
		List<TokenKey> refused = List.of("S-unknown-1", "S-unknown-2", "S-unknown-3")
			.stream()
			.map((value) -> TokenKey.forProvider("orders")
				.subjectToken(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now,
						now.plus(Duration.ofHours(1))))
				.build())
			.toList();
		runner().withPropertyValues("token.providers.gateway.refresh.failure-cooldown=1m").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			tokens.token(alice).block(BOUND);

			for (TokenKey key : refused) {
				assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> tokens.token(key).block(BOUND))
					.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_grant"));
			}

			// The refusal cannot say whose token it is about (RFC 8693 gives both one error code): the first one
			// may cost an actor renewal and a second try; a renewed actor token refused too means the subject
			// tokens are refused, and until the cooldown ends no other refusal renews the actor token.
			assertThat(this.server.clientCredentialsIssued()).isLessThanOrEqualTo(2);
			assertThat(this.server.exchanges()).hasSizeLessThanOrEqualTo(1 + 2 + 1 + 1);
			assertThat(this.server.refusals()).allMatch("unknown subject token"::equals);
			String actor = tokens.token("gateway").block(BOUND).accessToken().getTokenValue();
			assertThat(this.server.actorOf(tokens.token(TokenKey.forProvider("orders").subjectToken(subject("S-bob")).build())
				.block(BOUND)
				.accessToken()
				.getTokenValue())).isEqualTo("gateway");
			assertThat(this.server.exchanges().get(this.server.exchanges().size() - 1)).containsEntry("actor_token",
					actor);
		});
	}

	@Test
	void anActorWithoutATokenFailsTheExchangeClearlyWithoutAskingForIt() {
		OAuth2AccessToken dave = subject("S-dave");
		runner().run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.token(TokenKey.forProvider("orders").subjectToken(dave).actor("impostor").build())
					.block(BOUND))
				.satisfies((ex) -> {
					assertThat(ex.getProvider()).isEqualTo("orders");
					assertThat(ex.getErrorCode()).isEqualTo("invalid_client");
				})
				.withMessageContaining("no actor token: provider 'impostor'")
				.withMessageNotContaining("S-dave");
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> tokens.token(TokenKey.forProvider("orders").subjectToken(dave).actor("orders").build())
					.block(BOUND))
				.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo("invalid_request"))
				.withMessageContaining("cannot be the actor of its own token exchanges");
			assertThat(this.server.exchanges()).isEmpty();
		});
	}

}
