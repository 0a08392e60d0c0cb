package dev.tokenstarter.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A registration the start-up checks never saw (an application's own repository may add any) is refused by the
 * Redis store when its name holds a colon: its users' entries would be named like those of another registration's
 * users, and each be read as the other's.
 */
class RegistrationNameStoreTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void aRegistrationNamedWithAColonIsNeitherSavedNorRead() {
		FleetTestSupport.instance(redisServer.server(), provider, this.clock).run((context) -> {
			ClientRegistration acme = context.getBean(TokenClientRegistrationRepository.class)
				.findByRegistrationId("acme")
				.block();
			ClientRegistration colon = ClientRegistration.withClientRegistration(acme).registrationId("acme:eu").build();
			OAuth2AuthorizedClient carol = new OAuth2AuthorizedClient(colon, "carol",
					new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "CAROL-EU", this.clock.instant(),
							this.clock.instant().plusSeconds(3600)));
			RedisAuthorizedClientService store = context.getBean(RedisAuthorizedClientService.class);
			assertThatIllegalArgumentException()
				.isThrownBy(() -> store.saveAuthorizedClient(carol, new TestingAuthenticationToken("carol", "n/a")))
				.withMessageContaining("acme:eu")
				.withMessageNotContaining("CAROL-EU");
			assertThatIllegalArgumentException().isThrownBy(() -> store.loadAuthorizedClient("acme:eu", "carol"));
			assertThat(redisServer.server().command("KEYS", "*client:acme:eu:carol*")).isEmpty();
		});
	}

}
