package dev.tokenstarter.ssl;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which key each DPoP-bound token is bound to, as an instance holding many users' tokens sees it: a token that
 * loses its binding cannot be sent at all, since no other key's proof is accepted with it.
 */
class DpopKeysTests {

	private static final Instant ISSUED = Instant.parse("2026-11-30T10:00:00Z");

	@Test
	void everyTokenKeepsItsKeyHoweverManyTokensTheInstanceHolds() {
		DpopKeys keys = new DpopKeys(settings());
		DpopKey key = keys.current("bank").block();
		// More than the engine's default token.keys.max-held (100 000) users' tokens, and the application's.
		int tokens = 150_000;
		for (int i = 0; i < tokens; i++) {
			keys.bind("bank", token("token-" + i), key);
		}
		int unbound = 0;
		for (int i = 0; i < tokens; i++) {
			if (!key.thumbprint().equals(keys.thumbprintOf(token("token-" + i)))) {
				unbound++;
			}
		}
		assertThat(unbound).isZero();
	}

	@Test
	void aTokenKeepsItsKeyForItsLifetimeAndAMinuteMoreOnTheApplicationsClock() {
		MutableClock clock = new MutableClock(ISSUED);
		DpopKeys keys = new DpopKeys(settings(), null, clock);
		DpopKey key = keys.current("bank").block();
		keys.bind("bank", token("held"), key);
		clock.advance(Duration.ofSeconds(300 + 59));
		assertThat(keys.thumbprintOf(token("held"))).isEqualTo(key.thumbprint());
		clock.advance(Duration.ofSeconds(2));
		assertThat(keys.thumbprintOf(token("held"))).isNull();
	}

	private static OAuth2AccessToken token(String value) {
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.DPOP, value, ISSUED, ISSUED.plusSeconds(300),
				Set.of("accounts"));
	}

	private static TokenSettings settings() {
		TokenProperties properties = new TokenProperties();
		TokenProperties.Provider bank = new TokenProperties.Provider();
		bank.setTokenUri("https://auth.bank.example/token");
		bank.setClientId("client");
		bank.getDpop().setEnabled(true);
		properties.getProviders().put("bank", bank);
		return new TokenSettings(properties);
	}

}
