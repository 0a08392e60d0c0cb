package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.util.Assert;

/**
 * Turns an authorized client into the sealed text stored in Redis (and carried by change messages), and back.
 * The Redis key is the associated data, so a value moved to another key does not open. A DPoP-bound token is
 * sealed with the thumbprint of its key, and read back only when this instance can get that key: otherwise it
 * reads as absent, and the engine renews it.
 */
public class RedisEntryCodec {

	private static final String WARM_UP = "warm-up";

	private final TokenCipher cipher;

	private final AuthorizedClientCodec codec;

	private final ReactiveClientRegistrationRepository registrations;

	private final TokenKeyBindings bindings;

	public RedisEntryCodec(TokenCipher cipher, AuthorizedClientCodec codec,
			ReactiveClientRegistrationRepository registrations) {
		this(cipher, codec, registrations, TokenKeyBindings.NONE);
	}

	/**
	 * Creates the codec of a store that may hold DPoP-bound tokens.
	 * @param cipher seals and opens values
	 * @param codec writes and reads authorized clients
	 * @param registrations supplies the registration of a value read
	 * @param bindings the keys tokens are bound to
	 */
	public RedisEntryCodec(TokenCipher cipher, AuthorizedClientCodec codec,
			ReactiveClientRegistrationRepository registrations, TokenKeyBindings bindings) {
		Assert.notNull(bindings, "bindings cannot be null");
		this.cipher = cipher;
		this.codec = codec;
		this.registrations = registrations;
		this.bindings = bindings;
	}

	String encode(String key, OAuth2AuthorizedClient client) {
		return Base64.getEncoder()
			.encodeToString(this.cipher.seal(this.codec.encode(client, this.bindings.keyOf(client)), aad(key)));
	}

	/**
	 * Whether the fleet could send the client's token, so that it may be stored.
	 */
	boolean isShareable(OAuth2AuthorizedClient client) {
		return this.bindings.isShareable(client);
	}

	/**
	 * Reads a stored value; fails with {@link TamperedValueException} when it does not open, and is empty when
	 * the registration is no longer known.
	 */
	Mono<OAuth2AuthorizedClient> decode(String key, String registrationId, String principalName, String data) {
		return Mono.fromCallable(() -> open(key, data))
			.flatMap((json) -> this.registrations.findByRegistrationId(registrationId)
				.map((registration) -> this.codec.decodeBound(json, registration, principalName)))
			.filterWhen((bound) -> this.bindings.restore(bound.client(), bound.keyThumbprint()))
			.map(AuthorizedClientCodec.BoundClient::client);
	}

	/**
	 * Seals a sample token and reads it back, so that the JSON writer and reader and the cipher are built now
	 * rather than for the first token: in a fresh JVM building them takes tens of milliseconds, and at a cold start
	 * of the fleet every instance waits for that first token, which its holder writes and every other instance
	 * reads from a change message. Touches neither Redis nor the application's registrations.
	 */
	void warmUp() {
		Instant now = Instant.now();
		ClientRegistration registration = ClientRegistration.withRegistrationId(WARM_UP)
			.clientId(WARM_UP)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("https://localhost/" + WARM_UP)
			.build();
		OAuth2AuthorizedClient sample = new OAuth2AuthorizedClient(registration, WARM_UP,
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, WARM_UP, now, now.plusSeconds(60),
						Set.of(WARM_UP)),
				new OAuth2RefreshToken(WARM_UP, now));
		this.codec.decodeBound(open(WARM_UP, encode(WARM_UP, sample)), registration, WARM_UP);
	}

	private byte[] open(String key, String data) {
		try {
			return this.cipher.open(Base64.getDecoder().decode(data), aad(key));
		}
		catch (IllegalArgumentException ex) {
			throw new TamperedValueException("Stored value is not base64", ex);
		}
	}

	private static byte[] aad(String key) {
		return key.getBytes(StandardCharsets.UTF_8);
	}

}
