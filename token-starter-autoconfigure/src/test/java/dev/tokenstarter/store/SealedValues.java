package dev.tokenstarter.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.quicktheories.core.RandomnessSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

import static dev.tokenstarter.test.Fuzz.between;
import static dev.tokenstarter.test.Fuzz.pick;

/**
 * Stored values that must not open: random text and bytes, sealed values truncated, extended, bit-flipped,
 * re-keyed to another key id (configured or not) or sealed with other key material, and values sealed for another
 * entry (a different associated data). Also authentic values (sealed with the right key for the right entry)
 * whose JSON is not quite a stored client, as another version of the starter might write it.
 */
final class SealedValues {

	/** Every token value sealed by these values starts so. */
	static final String PLANTED = "PLANTED";

	/** The key of the test instances ({@code FleetTestSupport.TEST_KEY}): 32 zero bytes under id k1. */
	static final Map<String, SecretKey> TEST_KEYS = Map.of("k1", key(0));

	/** A registration the sealed values' clients are read with. */
	static final ClientRegistration REGISTRATION = ClientRegistration.withRegistrationId("acme")
		.clientId("client")
		.clientSecret("secret")
		.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
		.tokenUri("https://auth.example.com/token")
		.build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Built once: a codec builds a mapper with Spring Security's modules. */
	private static final AuthorizedClientCodec CODEC = new AuthorizedClientCodec();

	private static final AesGcmTokenCipher OWN = new AesGcmTokenCipher(TEST_KEYS);

	private SealedValues() {
	}

	/**
	 * How a value was made, which says whether it may open.
	 */
	enum Kind {

		/** Random text, most of it not base64. */
		TEXT,
		/** Base64 of random bytes. */
		RANDOM_BYTES,
		/** A value sealed for this entry, then altered. */
		ALTERED,
		/** A value sealed for this entry under a key id this instance does not have. */
		UNKNOWN_KEY_ID,
		/** A value sealed for this entry under this instance's key id, with other key material. */
		OTHER_KEY_MATERIAL,
		/** A value sealed with this instance's key for another entry. */
		OTHER_ENTRY,
		/** A value sealed with this instance's key for this entry, whose JSON was altered before sealing. */
		AUTHENTIC_ALTERED_JSON;

		/**
		 * Whether a value of this kind is authentic: sealed by a holder of the key for this very entry.
		 */
		boolean authentic() {
			return this == AUTHENTIC_ALTERED_JSON;
		}

	}

	/**
	 * A drawn value and what it is.
	 *
	 * @param kind how it was made
	 * @param data the stored text (base64 of the sealed bytes, unless {@link Kind#TEXT})
	 * @param how a description of the alteration, for the report
	 */
	record Value(Kind kind, String data, String how) {

		@Override
		public String toString() {
			return this.kind + " (" + this.how + "): "
					+ ((this.data.length() > 200) ? this.data.substring(0, 200) + "…" : this.data);
		}

	}

	/**
	 * Draws a value for the entry {@code entryKey}, among kinds that never open unless {@code authentic}.
	 * @param in the randomness
	 * @param entryKey the Redis key of the entry the value is read as
	 * @param registration the registration of the clients sealed
	 * @param withAuthentic whether authentic values with altered JSON may be drawn
	 */
	static Value draw(RandomnessSource in, String entryKey, ClientRegistration registration, boolean withAuthentic) {
		Kind kind = pick(in, Kind.values());
		if (kind == Kind.AUTHENTIC_ALTERED_JSON && !withAuthentic) {
			kind = Kind.ALTERED;
		}
		OAuth2AuthorizedClient client = client(registration, PLANTED + between(in, 0, 999), Instant.now());
		AuthorizedClientCodec codec = CODEC;
		byte[] aad = entryKey.getBytes(StandardCharsets.UTF_8);
		AesGcmTokenCipher own = OWN;
		return switch (kind) {
			case TEXT -> new Value(kind, pick(in, "", "x", "%%%", "AAAA", "AA==", "====", "null", "{}", "\u00e9\u0000",
					"a\r\nb", "QUJD\nREVG", "k1:" + PLANTED), "text");
			case RANDOM_BYTES -> new Value(kind, base64(randomBytes(in, between(in, 0, 120))), "random bytes");
			case ALTERED -> {
				byte[] sealed = own.seal(codec.encode(client), aad);
				String how = pick(in, "flip", "truncate", "extend", "key id length", "format");
				yield new Value(kind, base64(alter(in, sealed, how)), how);
			}
			case UNKNOWN_KEY_ID -> new Value(kind,
					base64(new AesGcmTokenCipher(keys(pick(in, "k2", "K1", "k1 ", "\u00e9", "k1\u0000", ""), 0))
						.seal(codec.encode(client), aad)),
					"unknown key id");
			case OTHER_KEY_MATERIAL -> new Value(kind,
					base64(new AesGcmTokenCipher(keys("k1", between(in, 1, 255))).seal(codec.encode(client), aad)),
					"other key material");
			case OTHER_ENTRY -> {
				String other = pick(in, entryKey + "x", entryKey.toUpperCase(), "", entryKey.substring(0,
						entryKey.length() - 1), entryKey.replace("client:", "lock:"));
				yield new Value(kind, base64(own.seal(codec.encode(client), other.getBytes(StandardCharsets.UTF_8))),
						"sealed for '" + other + "'");
			}
			case AUTHENTIC_ALTERED_JSON -> {
				byte[] json = codec.encode(client);
				String altered = alterJson(in, json);
				yield new Value(kind, base64(own.seal(altered.getBytes(StandardCharsets.UTF_8), aad)), altered);
			}
		};
	}

	static OAuth2AuthorizedClient client(ClientRegistration registration, String tokenValue, Instant issuedAt) {
		return new OAuth2AuthorizedClient(registration, "app",
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, tokenValue, issuedAt,
						issuedAt.plusSeconds(10 * 86_400)),
				new OAuth2RefreshToken(tokenValue + "-refresh", issuedAt));
	}

	static byte[] alter(RandomnessSource in, byte[] sealed, String how) {
		byte[] altered;
		switch (how) {
			case "flip" -> {
				altered = sealed.clone();
				altered[between(in, 0, altered.length - 1)] ^= (byte) (1 << between(in, 0, 7));
			}
			case "truncate" -> altered = Arrays.copyOf(sealed, between(in, 0, sealed.length - 1));
			case "extend" -> {
				byte[] tail = randomBytes(in, between(in, 1, 40));
				altered = Arrays.copyOf(sealed, sealed.length + tail.length);
				System.arraycopy(tail, 0, altered, sealed.length, tail.length);
			}
			case "key id length" -> {
				altered = sealed.clone();
				altered[1] = pick(in, 0, 1, 3, 40, 255).byteValue();
			}
			default -> {
				altered = sealed.clone();
				altered[0] = pick(in, 0x00, 0x02, 0xFF, (int) '{').byteValue();
			}
		}
		return altered;
	}

	/**
	 * Alters one member of a stored client's JSON: removed, or replaced by a value of another type or range.
	 */
	private static String alterJson(RandomnessSource in, byte[] json) {
		JsonNode root = JSON.readTree(json);
		List<ObjectNode> parents = new ArrayList<>();
		collect(root, parents);
		ObjectNode parent = pick(in, parents);
		List<String> names = new ArrayList<>(parent.propertyNames());
		String name = pick(in, names);
		JsonNodeFactory nodes = JsonNodeFactory.instance;
		switch (between(in, 0, 9)) {
			case 0 -> parent.remove(name);
			case 1 -> parent.putNull(name);
			case 2 -> parent.put(name, "");
			case 3 -> parent.put(name, -1);
			case 4 -> parent.put(name, "x\r\ny");
			case 5 -> parent.set(name, nodes.objectNode());
			case 6 -> parent.set(name, nodes.arrayNode());
			case 7 -> parent.put(name, new BigInteger("1" + "0".repeat(40)));
			case 8 -> parent.put(name, 0);
			default -> parent.put(name, pick(in, "java.lang.Runtime", "2026-13-45T00:00:00Z", "bearer", "1e400"));
		}
		return JSON.writeValueAsString(root);
	}

	private static void collect(JsonNode node, List<ObjectNode> objects) {
		if (node instanceof ObjectNode object) {
			objects.add(object);
			object.values().forEach((child) -> collect(child, objects));
		}
		else if (node instanceof ArrayNode array) {
			array.values().forEach((child) -> collect(child, objects));
		}
	}

	private static Map<String, SecretKey> keys(String id, int fill) {
		Map<String, SecretKey> keys = new LinkedHashMap<>();
		keys.put(id, key(fill));
		return keys;
	}

	private static SecretKey key(int fill) {
		byte[] material = new byte[32];
		Arrays.fill(material, (byte) fill);
		return new SecretKeySpec(material, "AES");
	}

	static byte[] randomBytes(RandomnessSource in, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) between(in, 0, 255);
		}
		return bytes;
	}

	static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

}
