package dev.tokenstarter.benchmarks;

import java.time.Duration;
import java.time.Instant;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;

/**
 * Many principals' tokens in a running starter: saved in its store as if another instance had obtained them, then
 * served once each, which puts them in the engine's memory without a token request per principal.
 */
final class PrincipalKeys {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private PrincipalKeys() {
	}

	static TokenKey key(int principal) {
		return TokenKey.forProvider(Fixture.REGISTRATION_ID).principal("user-" + principal).build();
	}

	/**
	 * Returns the token value of a principal: different for each, {@code length} characters long.
	 */
	static String tokenValue(int principal, int length) {
		StringBuilder value = new StringBuilder(length).append(principal).append('.');
		while (value.length() < length) {
			value.append((char) ('a' + (value.length() % 26)));
		}
		return value.toString();
	}

	/**
	 * Saves a token for each of {@code count} principals in the starter's store.
	 */
	static TokenKey[] save(StarterEngine engine, int count, int tokenLength) {
		ReactiveOAuth2AuthorizedClientService store = engine.bean(ReactiveOAuth2AuthorizedClientService.class);
		ClientRegistration registration = engine.bean(ReactiveClientRegistrationRepository.class)
			.findByRegistrationId(Fixture.REGISTRATION_ID)
			.block(BOUND);
		TokenKey[] keys = new TokenKey[count];
		Instant now = Instant.now();
		for (int i = 0; i < count; i++) {
			keys[i] = key(i);
			OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER,
					tokenValue(i, tokenLength), now, now.plus(Fixture.TOKEN_LIFETIME));
			String principal = keys[i].principal();
			store.saveAuthorizedClient(new OAuth2AuthorizedClient(registration, principal, token),
					new TestingAuthenticationToken(principal, "n/a")).block(BOUND);
		}
		return keys;
	}

	/**
	 * Serves each key once, so that the engine holds its token, and checks that it holds them all.
	 */
	static void serve(StarterEngine engine, TokenKey[] keys) {
		TokenManager tokens = engine.bean(TokenManager.class);
		for (TokenKey key : keys) {
			tokens.token(key).block(BOUND);
		}
		if (tokens.heldKeys() < keys.length) {
			throw new IllegalStateException("The engine holds " + tokens.heldKeys() + " keys, expected at least "
					+ keys.length);
		}
	}

}
