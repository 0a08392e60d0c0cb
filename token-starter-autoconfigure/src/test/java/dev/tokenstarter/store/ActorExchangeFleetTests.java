package dev.tokenstarter.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.ActorVerifyingTokenEndpoint;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exchanged tokens of two actors in one shared store: instances whose provider of the same name exchanges the same
 * user's token with different actors (two applications on one Redis, or one during a rolling change of its actor)
 * each get the token of their own actor, never the other's, while instances with the same actor share one token,
 * as a fleet does, and renew a shared actor token the server refused once for the fleet. The strict authorization
 * server says whose actor token each token was exchanged with.
 */
class ActorExchangeFleetTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	private final ActorVerifyingTokenEndpoint server = ActorVerifyingTokenEndpoint.start(this.clock,
			Map.of("gateway", "gateway-secret", "auditor", "auditor-secret"), Duration.ofSeconds(300));

	@AfterEach
	void stop() {
		this.server.close();
	}

	private ApplicationContextRunner instanceActingAs(String actor) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class, TokenEngineAutoConfiguration.class))
			.withBean(Clock.class, () -> this.clock)
			.withPropertyValues("spring.data.redis.url=" + redisServer.server().url(),
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY, "token.scheduler.enabled=false",
					"token.defaults.refresh.max-caller-wait=30s",
					"token.providers.orders.token-uri=" + this.server.tokenUri(),
					"token.providers.orders.client-id=gateway", "token.providers.orders.client-secret=gateway-secret",
					"token.providers.orders.grant-type=token-exchange", "token.providers.orders.actor.provider=actor",
					"token.providers.actor.token-uri=" + this.server.tokenUri(),
					"token.providers.actor.client-id=" + actor,
					"token.providers.actor.client-secret=" + actor + "-secret");
	}

	private TokenKey subject(String value) {
		this.server.acceptSubject(value);
		Instant now = this.clock.instant();
		return TokenKey.forProvider("orders")
			.subjectToken(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now,
					now.plus(Duration.ofHours(1))))
			.build();
	}

	@Test
	void anActorTokenRevokedAtTheServerIsRenewedOnceByTheFleetAndEveryRefusedExchangeSentAgain() {
		TokenKey erin = subject("S-erin");
		TokenKey frank = subject("S-frank");
		TokenKey grace = subject("S-grace");
		ApplicationContextRunner asGateway = instanceActingAs("gateway");
		asGateway.run((first) -> asGateway.run((second) -> {
			TokenManager one = first.getBean(TokenManager.class);
			TokenManager two = second.getBean(TokenManager.class);
			one.token(erin).block(BOUND);
			String revoked = one.token("actor").block(BOUND).accessToken().getTokenValue();
			assertThat(two.token("actor").block(BOUND).accessToken().getTokenValue()).isEqualTo(revoked);
			this.server.revoke(revoked);

			// Both instances send the revoked actor token at once, and both are refused.
			String[] exchanged = Mono
				.zip(one.token(frank).subscribeOn(Schedulers.boundedElastic()),
						two.token(grace).subscribeOn(Schedulers.boundedElastic()))
				.map((both) -> new String[] { both.getT1().accessToken().getTokenValue(),
						both.getT2().accessToken().getTokenValue() })
				.block(BOUND);

			assertThat(this.server.actorOf(exchanged[0])).isEqualTo("gateway");
			assertThat(this.server.actorOf(exchanged[1])).isEqualTo("gateway");
			assertThat(this.server.refusals()).isNotEmpty().allMatch("the actor token has been revoked"::equals);
			assertThat(this.server.clientCredentialsIssued()).isEqualTo(2);
			String renewed = one.token("actor").block(BOUND).accessToken().getTokenValue();
			assertThat(renewed).isNotEqualTo(revoked);
			assertThat(two.token("actor").block(BOUND).accessToken().getTokenValue()).isEqualTo(renewed);
		}));
	}

	@Test
	void instancesWithAnotherActorNeverServeTheTokenExchangedForTheFirstAndInstancesWithTheSameShareIt() {
		this.server.acceptSubject("S-erin");
		Instant now = this.clock.instant();
		TokenKey erin = TokenKey.forProvider("orders")
			.subjectToken(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "S-erin", now,
					now.plus(Duration.ofHours(1))))
			.build();
		ApplicationContextRunner asGateway = instanceActingAs("gateway");
		asGateway.run((first) -> instanceActingAs("auditor").run((other) -> asGateway.run((second) -> {
			String gateway = first.getBean(TokenManager.class).token(erin).block(BOUND).accessToken().getTokenValue();
			String auditor = other.getBean(TokenManager.class).token(erin).block(BOUND).accessToken().getTokenValue();
			String shared = second.getBean(TokenManager.class).token(erin).block(BOUND).accessToken().getTokenValue();

			assertThat(this.server.refusals()).isEmpty();
			assertThat(this.server.actorOf(gateway)).isEqualTo("gateway");
			assertThat(auditor).isNotEqualTo(gateway);
			assertThat(this.server.actorOf(auditor)).isEqualTo("auditor");
			assertThat(shared).isEqualTo(gateway);
			assertThat(this.server.exchanges()).hasSize(2);
			assertThat(redisServer.server().entriesHoldingTokens("token-starter:client:orders:subject-token:*"))
				.hasSize(2)
				.allSatisfy((entry) -> assertThat(entry).doesNotContain("S-erin"));
		})));
	}

}
