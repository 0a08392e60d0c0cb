package dev.tokenstarter.store;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;
import dev.tokenstarter.test.ResponsesHeldTogether;

import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A save based on one read of an entry replaces only what that read found: not what another instance stored since,
 * however this instance's other reads of the entry went meanwhile, and however long ago its bookkeeping last saw
 * the entry.
 */
class SaveBasisTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final ResponsesHeldTogether held = new ResponsesHeldTogether();

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider(held);

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void aSaveBasedOnOneReadIsRefusedWhenAnotherInstanceStoredSinceThoughThisOneReadAgain() {
		ApplicationContextRunner instance = FleetTestSupport.instance(redisServer.server(), provider, this.clock);
		instance.run((loggingIn) -> instance.run((renewing) -> {
			TestingAuthenticationToken alice = new TestingAuthenticationToken("alice", null, "ROLE_USER");
			ClientRegistration registration = registration(loggingIn);
			RedisAuthorizedClientService loginStore = loggingIn.getBean(RedisAuthorizedClientService.class);
			RedisAuthorizedClientService renewingStore = renewing.getBean(RedisAuthorizedClientService.class);
			loginStore.replaceAuthorizedClient(client(registration, "L1"), alice).block(BOUND);
			OAuth2AuthorizedClient read = renewingStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
				.block(BOUND);
			loginStore.replaceAuthorizedClient(client(registration, "L2"), alice).block(BOUND);
			// Application code on the renewing instance reads the entry meanwhile.
			assertThat(renewingStore.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice").block(BOUND))
				.isNotNull();

			assertThatExceptionOfType(StaleAuthorizedClientException.class)
				.isThrownBy(() -> renewingStore.saveAuthorizedClient(client(registration, "E1"), alice)
					.contextWrite(SharedTokenStore.basedOn(read))
					.block(BOUND));
			assertThat(loggingIn.getBean(OAuth2AuthorizedClientService.class)
				.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", "alice")
				.getAccessToken()
				.getTokenValue()).isEqualTo("L2");
		}));
	}

	/**
	 * The store's bookkeeping of an entry's version idles out while the renewal that read it waits for the
	 * provider: the renewal still saves its token in place of what it read, rather than failing as stale and
	 * keeping the stored token, whose refresh token it has just spent.
	 */
	@Test
	void aRenewalSavesInPlaceOfWhatItReadThoughTheStoreForgotThatReadsVersionMeanwhile() throws Exception {
		provider.stubFor(tokenRequest().inScenario("renewal")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(token("T1", 300))
			.willSetStateTo("renewing"));
		provider.stubFor(tokenRequest().inScenario("renewal")
			.whenScenarioStateIs("renewing")
			.willReturn(token("T2", 300).withTransformers(ResponsesHeldTogether.NAME)));
		FleetTestSupport.instance(redisServer.server(), provider, this.clock).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block(BOUND).accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofSeconds(301));
			held.holdUntil(2);
			CompletableFuture<String> renewed = tokens.token("acme")
				.map((token) -> token.accessToken().getTokenValue())
				.toFuture();
			// The renewal has read the store under the lock, and its token request is on its way.
			await().atMost(BOUND).until(() -> held.awaited() == 1);
			this.clock.advance(Duration.ofMinutes(31));
			held.release();

			assertThat(renewed.get(10, TimeUnit.SECONDS)).isEqualTo("T2");
			assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T2");
		});
	}

	private static ClientRegistration registration(ApplicationContext context) {
		return context.getBean(ReactiveClientRegistrationRepository.class).findByRegistrationId("acme").block(BOUND);
	}

	private OAuth2AuthorizedClient client(ClientRegistration registration, String value) {
		Instant now = this.clock.instant();
		return new OAuth2AuthorizedClient(registration, "alice",
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, now, now.plusSeconds(300)),
				new OAuth2RefreshToken("R-" + value, now));
	}

}
