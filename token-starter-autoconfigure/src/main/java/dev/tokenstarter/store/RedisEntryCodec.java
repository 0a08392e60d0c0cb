package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.util.Assert;

/**
 * Turns an authorized client into the sealed text stored in Redis (and carried by change messages), and back.
 * The Redis key is the associated data, so a value moved to another key does not open. A DPoP-bound token is
 * sealed with the thumbprint of its key, and read back only when this instance can get that key: otherwise it
 * reads as absent, and the engine renews it.
 */
public class RedisEntryCodec {

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
		return Mono.fromCallable(() -> {
			try {
				return this.cipher.open(Base64.getDecoder().decode(data), aad(key));
			}
			catch (IllegalArgumentException ex) {
				throw new TamperedValueException("Stored value is not base64", ex);
			}
		})
			.flatMap((json) -> this.registrations.findByRegistrationId(registrationId)
				.map((registration) -> this.codec.decodeBound(json, registration, principalName)))
			.filterWhen((bound) -> this.bindings.restore(bound.client(), bound.keyThumbprint()))
			.map(AuthorizedClientCodec.BoundClient::client);
	}

	private static byte[] aad(String key) {
		return key.getBytes(StandardCharsets.UTF_8);
	}

}
