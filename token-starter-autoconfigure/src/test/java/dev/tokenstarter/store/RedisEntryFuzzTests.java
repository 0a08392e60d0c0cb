package dev.tokenstarter.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;

import dev.tokenstarter.store.SealedValues.Value;
import dev.tokenstarter.test.Fuzz;

import static dev.tokenstarter.test.Fuzz.between;
import static dev.tokenstarter.test.Fuzz.pick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Stored values that were not sealed by this instance's keys for the entry they are read from never open, and
 * a refusal is always a {@link TamperedValueException} with a printable message (it reaches the logs): random
 * bytes, sealed values altered in any byte, truncated or extended, re-keyed to another key id, sealed with other
 * key material or for another entry. Authentic values whose JSON is not quite a stored client are refused the
 * same way, never with another exception.
 */
class RedisEntryFuzzTests {

	private static final int TRIES = 2000;

	@Test
	void theCipherOpensOnlyWhatItsKeysSealedForTheSameAssociatedData() {
		Gen<Map<String, SecretKey>> keySets = (in) -> {
			Map<String, SecretKey> keys = new LinkedHashMap<>();
			int count = between(in, 1, 3);
			for (int i = 0; i < count; i++) {
				byte[] material = SealedValues.randomBytes(in, 32);
				// Two ids with the same material are one key under two names: it opens what either sealed, as it
				// should, so "other key id" needs keys that differ (shrinking drives them all to zeros).
				while (keys.values().stream().anyMatch((key) -> Arrays.equals(key.getEncoded(), material))) {
					material[0]++;
				}
				keys.put(pick(in, "k1", "k2", "rotation-2026", "\u00fc", "k" + i), new SecretKeySpec(material, "AES"));
			}
			return keys;
		};
		Gen<String> tampering = (in) -> pick(in, "none", "flip", "truncate", "extend", "key id length", "format",
				"other associated data", "other key id", "unknown key id", "other key material", "random bytes");
		Fuzz.theory(TRIES, TRIES * 20)
			.forAll(keySets, (in) -> SealedValues.randomBytes(in, between(in, 0, 200)), tampering,
					(in) -> SealedValues.randomBytes(in, between(in, 0, 8)))
			.checkAssert((keys, plaintext, how, seed) -> {
				AesGcmTokenCipher cipher = new AesGcmTokenCipher(keys);
				byte[] aad = "token-starter:client:acme:app".getBytes(StandardCharsets.UTF_8);
				byte[] sealed = cipher.seal(plaintext, aad);
				if (how.equals("none")) {
					assertThat(cipher.open(sealed, aad)).isEqualTo(plaintext);
					return;
				}
				Throwable refusal = catchThrowable(() -> cipher.open(tamper(sealed, how, keys, seed, plaintext, aad),
						how.equals("other associated data") ? "token-starter:client:acme:app2".getBytes(
								StandardCharsets.UTF_8) : aad));
				assertRefusal(refusal);
			});
	}

	@Test
	void theEntryCodecNeverDecodesAValueIntoAClientUnlessItsKeySealedItForThatEntry() {
		RedisEntryCodec codec = new RedisEntryCodec(new AesGcmTokenCipher(SealedValues.TEST_KEYS),
				new AuthorizedClientCodec(), new InMemoryReactiveClientRegistrationRepository(SealedValues.REGISTRATION));
		String entryKey = "token-starter:client:acme:app";
		Gen<Value> values = (in) -> SealedValues.draw(in, entryKey, SealedValues.REGISTRATION, true);
		Fuzz.theory(TRIES, TRIES * 20).forAll(values).checkAssert((value) -> {
			try {
				codec.decode(entryKey, "acme", "app", value.data()).block(Duration.ofSeconds(5));
			}
			catch (TamperedValueException ex) {
				assertRefusal(ex);
				return;
			}
			// Whatever an authentic value holds was written by a holder of the key: the engine checks that a token
			// can be sent before it uses it.
			assertThat(value.kind().authentic()).as("only an authentic value opens").isTrue();
		});
		OAuth2AuthorizedClient client = SealedValues.client(SealedValues.REGISTRATION, "T", Instant.now());
		assertThat(codec.decode(entryKey, "acme", "app", codec.encode(entryKey, client)).block().getAccessToken()
			.getTokenValue()).as("what the codec encodes for an entry opens").isEqualTo("T");
	}

	private static void assertRefusal(Throwable refusal) {
		assertThat(refusal).isInstanceOf(TamperedValueException.class);
		assertThat(refusal.getMessage()).doesNotContainPattern("\\p{Cntrl}").doesNotContain(SealedValues.PLANTED);
	}

	private static byte[] tamper(byte[] sealed, String how, Map<String, SecretKey> keys, byte[] seed,
			byte[] plaintext, byte[] aad) {
		return switch (how) {
			case "flip" -> {
				byte[] altered = sealed.clone();
				int at = Math.floorMod((seed.length > 0) ? seed[0] * 31 + seed.length : 0, altered.length);
				altered[at] ^= (byte) ((seed.length > 1) ? (1 << Math.floorMod(seed[1], 8)) : 1);
				yield altered;
			}
			case "truncate" -> Arrays.copyOf(sealed, Math.floorMod(seed.length * 7 + 3, sealed.length));
			case "extend" -> {
				byte[] altered = Arrays.copyOf(sealed, sealed.length + seed.length + 1);
				System.arraycopy(seed, 0, altered, sealed.length, seed.length);
				yield altered;
			}
			case "key id length" -> {
				byte[] altered = sealed.clone();
				altered[1] = (byte) (altered[1] + 1 + ((seed.length > 0) ? Math.floorMod(seed[0], 200) : 0));
				yield altered;
			}
			case "format" -> {
				byte[] altered = sealed.clone();
				altered[0] = (byte) ((seed.length > 0 && seed[0] != AesGcmTokenCipher.FORMAT) ? seed[0] : 0x02);
				yield altered;
			}
			case "other associated data" -> sealed;
			case "other key id" -> {
				// Sealed with one configured key, labelled with another configured id: the wrong key opens it.
				Map<String, SecretKey> swapped = new LinkedHashMap<>();
				String first = keys.keySet().iterator().next();
				String other = keys.keySet().stream().filter((id) -> !id.equals(first)).findFirst().orElse(null);
				if (other == null) {
					yield new AesGcmTokenCipher(Map.of(first + "x", keys.get(first))).seal(plaintext, aad);
				}
				swapped.put(other, keys.get(first));
				yield new AesGcmTokenCipher(swapped).seal(plaintext, aad);
			}
			case "unknown key id" -> new AesGcmTokenCipher(Map.of("unknown\r\n" + keys.size(),
					keys.values().iterator().next())).seal(plaintext, aad);
			case "other key material" -> {
				byte[] material = new byte[32];
				System.arraycopy(seed, 0, material, 0, Math.min(seed.length, 32));
				material[31] ^= 0x5A;
				yield new AesGcmTokenCipher(Map.of(keys.keySet().iterator().next(), new SecretKeySpec(material, "AES")))
					.seal(plaintext, aad);
			}
			default -> seed;
		};
	}

}
