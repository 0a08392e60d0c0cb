package dev.tokenstarter.ssl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.Assert;
import org.springframework.util.StreamUtils;

import dev.tokenstarter.config.ClientAssertionAlgorithm;
import dev.tokenstarter.config.ClientAssertionSettings;
import dev.tokenstarter.config.ClientAuthentication;
import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.config.TokenSettings;

/**
 * The private keys that sign the private_key_jwt client assertions of each provider, read once at start-up from
 * the provider's {@code client-assertion.ssl-bundles} or {@code client-assertion.jwk}. Every configured key is
 * read and checked (present, private, of the type its algorithm needs), so a wrong alias or an RSA key with
 * ES256 stops the application with a message naming the property; the first key signs.
 */
public final class ClientAssertionKeys {

	private static final Pattern LOCATION = Pattern
		.compile("(classpath\\*?:|file:|https?:|/|\\.{1,2}/|[A-Za-z]:[\\\\/]).*|[\\w./-]+\\.(jwk|jwks|json)");

	private static final int MIN_RSA_BITS = 2048;

	private final Map<String, ClientAssertionKey> signingKeys;

	private ClientAssertionKeys(Map<String, ClientAssertionKey> signingKeys) {
		this.signingKeys = Collections.unmodifiableMap(signingKeys);
	}

	/**
	 * Reads the keys of every provider that authenticates with private_key_jwt.
	 * @param settings the providers' resolved settings
	 * @param bundles the application's SSL bundles, or null when it has none
	 * @param resources where JWK files are read from
	 * @return the providers' signing keys
	 * @throws TokenConfigurationException when a key is missing, unreadable or does not fit its algorithm
	 */
	public static ClientAssertionKeys of(TokenSettings settings, @Nullable SslBundles bundles,
			ResourceLoader resources) {
		Assert.notNull(settings, "settings must not be null");
		Assert.notNull(resources, "resources must not be null");
		Map<String, ClientAssertionKey> signingKeys = new LinkedHashMap<>();
		for (ProviderSettings provider : settings.providers()) {
			ClientAssertionSettings assertion = settings.clientAssertion(provider.registrationId());
			if (assertion == null || provider.clientAuthentication() != ClientAuthentication.PRIVATE_KEY_JWT) {
				continue;
			}
			List<ClientAssertionKey> keys = (assertion.jwk() != null) ? fromJwkFile(assertion, resources)
					: fromBundles(assertion, bundles);
			signingKeys.put(provider.registrationId(), keys.get(0));
		}
		return new ClientAssertionKeys(signingKeys);
	}

	/**
	 * Returns the key a provider's assertions are signed with.
	 * @param registrationId the provider's name
	 * @return its key, or null when it does not authenticate with private_key_jwt
	 */
	public @Nullable ClientAssertionKey signingKey(String registrationId) {
		return this.signingKeys.get(registrationId);
	}

	/**
	 * Whether a {@code jwk} value is key material rather than a location: JSON, as some libraries take it inline.
	 */
	private static boolean holdsKeyMaterial(String location) {
		return location.strip().startsWith("{") || location.indexOf('"') >= 0;
	}

	/**
	 * Whether a value reads as a resource location: a URL or a path, short, without spaces or PEM armour.
	 */
	private static boolean looksLikeLocation(String value) {
		return value.length() <= 256 && value.chars().noneMatch(Character::isWhitespace) && !value.contains("-----")
				&& LOCATION.matcher(value).matches();
	}

	private static List<ClientAssertionKey> fromJwkFile(ClientAssertionSettings assertion, ResourceLoader resources) {
		String property = assertion.property() + ".jwk";
		String location = assertion.jwk();
		if (holdsKeyMaterial(location)) {
			// Read as a location it fails with the value in the message, private key and all: never echoed.
			throw new TokenConfigurationException(property, "holds a JWK itself (" + location.length()
					+ " characters, not shown); it takes the location of a JWK or JWK set file (file:, classpath:)");
		}
		Resource resource = resources.getResource(location);
		List<JWK> parsed;
		try (InputStream in = resource.getInputStream()) {
			String json = StreamUtils.copyToString(in, StandardCharsets.UTF_8);
			parsed = json.contains("\"keys\"") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
		}
		catch (IOException ex) {
			// A value that is no location may be key material in another form (base64, PEM): neither it nor the
			// cause, whose message repeats it, is shown.
			throw looksLikeLocation(location)
					? new TokenConfigurationException(property, "names " + location + ", which cannot be read", ex)
					: new TokenConfigurationException(property, "is not a location that can be read (a value of "
							+ location.length() + " characters, not shown); it takes the location of a JWK or JWK "
							+ "set file (file:, classpath:)");
		}
		catch (ParseException ex) {
			// Nimbus's message may quote the key material: say where, not what.
			throw new TokenConfigurationException(property, "names " + location + ", which is not a JWK or JWK set");
		}
		if (parsed.isEmpty()) {
			throw new TokenConfigurationException(property, "names " + location + ", a JWK set without keys");
		}
		List<ClientAssertionKey> keys = new ArrayList<>();
		for (int i = 0; i < parsed.size(); i++) {
			JWK jwk = parsed.get(i);
			String which = "names " + location + ", whose key " + describe(jwk, i);
			if (!jwk.isPrivate()) {
				throw new TokenConfigurationException(property, which + " has no private part");
			}
			ClientAssertionAlgorithm algorithm = algorithm(assertion, jwk, property, which);
			String keyId = (assertion.keyId() != null && i == 0) ? assertion.keyId() : jwk.getKeyID();
			JWK signing = switch (jwk.getKeyType().getValue()) {
				case "RSA" -> new RSAKey.Builder(jwk.toRSAKey()).keyID(keyId)
					.algorithm(JWSAlgorithm.parse(algorithm.name()))
					.build();
				default -> new ECKey.Builder(jwk.toECKey()).keyID(keyId)
					.algorithm(JWSAlgorithm.parse(algorithm.name()))
					.build();
			};
			keys.add(new ClientAssertionKey(signing, null));
		}
		return keys;
	}

	private static List<ClientAssertionKey> fromBundles(ClientAssertionSettings assertion,
			@Nullable SslBundles bundles) {
		String property = assertion.property() + ".ssl-bundles";
		List<ClientAssertionKey> keys = new ArrayList<>();
		for (String name : assertion.sslBundles()) {
			keys.add(fromBundle(assertion, property, name, ProviderSslContexts.bundle(property, name, bundles),
					keys.isEmpty()));
		}
		return keys;
	}

	private static ClientAssertionKey fromBundle(ClientAssertionSettings assertion, String property, String name,
			SslBundle bundle, boolean signing) {
		KeyStore keyStore = bundle.getStores().getKeyStore();
		String which = "names SSL bundle '" + name + "'";
		if (keyStore == null) {
			throw new TokenConfigurationException(property, which + ", which has no key store with a private key");
		}
		try {
			String alias = alias(property, which, bundle, keyStore);
			// As Spring Boot reads a bundle's key for TLS: without key.password, keytool's stores protect the key
			// with the store's password.
			String password = (bundle.getKey().getPassword() != null) ? bundle.getKey().getPassword()
					: bundle.getStores().getKeyStorePassword();
			Key key = keyStore.getKey(alias, (password != null) ? password.toCharArray() : new char[0]);
			Certificate certificate = keyStore.getCertificate(alias);
			if (!(key instanceof PrivateKey privateKey) || !(certificate instanceof X509Certificate x509)) {
				throw new TokenConfigurationException(property,
						which + ", whose entry '" + alias + "' is no private key with a certificate");
			}
			String keyId = signing ? assertion.keyId() : null;
			Base64URL sha256 = Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(x509.getEncoded()));
			String sha1 = Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(x509.getEncoded())).toString();
			JWK jwk;
			if (x509.getPublicKey() instanceof RSAPublicKey rsa) {
				jwk = new RSAKey.Builder(rsa).privateKey(privateKey).keyID(keyId).x509CertSHA256Thumbprint(sha256).build();
			}
			else if (x509.getPublicKey() instanceof ECPublicKey ec) {
				Curve curve = Curve.forECParameterSpec(ec.getParams());
				if (curve == null) {
					throw new TokenConfigurationException(property, which + ", whose EC key is on a curve JOSE does not know");
				}
				jwk = new ECKey.Builder(curve, ec).privateKey(privateKey).keyID(keyId).x509CertSHA256Thumbprint(sha256).build();
			}
			else {
				throw new TokenConfigurationException(property, which + ", whose key is neither RSA nor EC");
			}
			ClientAssertionAlgorithm algorithm = algorithm(assertion, jwk, property, which + ", whose key");
			JWK withAlgorithm = (jwk instanceof RSAKey rsaKey)
					? new RSAKey.Builder(rsaKey).algorithm(JWSAlgorithm.parse(algorithm.name())).build()
					: new ECKey.Builder(jwk.toECKey()).algorithm(JWSAlgorithm.parse(algorithm.name())).build();
			return new ClientAssertionKey(withAlgorithm, sha1);
		}
		catch (GeneralSecurityException ex) {
			throw new TokenConfigurationException(property, which + ", whose private key cannot be read: "
					+ ex.getClass().getSimpleName(), ex);
		}
	}

	/**
	 * The bundle's {@code key.alias} when it has one, which must then exist; otherwise its only key entry.
	 */
	private static String alias(String property, String which, SslBundle bundle, KeyStore keyStore)
			throws GeneralSecurityException {
		List<String> keyEntries = new ArrayList<>();
		for (String candidate : Collections.list(keyStore.aliases())) {
			if (keyStore.isKeyEntry(candidate)) {
				keyEntries.add(candidate);
			}
		}
		String alias = bundle.getKey().getAlias();
		if (alias != null) {
			if (!keyEntries.contains(alias)) {
				throw new TokenConfigurationException(property, which + ", whose key.alias '" + alias
						+ "' names no private key entry; its key entries: " + keyEntries);
			}
			return alias;
		}
		if (keyEntries.size() != 1) {
			throw new TokenConfigurationException(property, which + ", which holds " + keyEntries.size()
					+ " private keys " + keyEntries + ": set the bundle's key.alias to the one that signs");
		}
		return keyEntries.get(0);
	}

	/**
	 * The configured algorithm, which must fit the key; otherwise the key's own ({@code alg}), otherwise the one
	 * its type implies.
	 */
	private static ClientAssertionAlgorithm algorithm(ClientAssertionSettings assertion, JWK jwk, String property,
			String which) {
		ClientAssertionAlgorithm algorithm = assertion.algorithm();
		if (algorithm == null && jwk.getAlgorithm() != null) {
			algorithm = supported(jwk.getAlgorithm().getName());
			if (algorithm == null) {
				throw new TokenConfigurationException(property, which + " says alg " + jwk.getAlgorithm().getName()
						+ ", which is none of RS256, PS256 and ES256");
			}
		}
		if (algorithm == null) {
			algorithm = KeyType.RSA.equals(jwk.getKeyType()) ? ClientAssertionAlgorithm.RS256
					: ClientAssertionAlgorithm.ES256;
		}
		String setting = (assertion.algorithm() != null) ? " (" + assertion.property() + ".algorithm)" : "";
		boolean rsa = algorithm != ClientAssertionAlgorithm.ES256;
		if (rsa && !KeyType.RSA.equals(jwk.getKeyType())) {
			throw new TokenConfigurationException(property, which + " is an " + jwk.getKeyType() + " key, but "
					+ algorithm + setting + " needs an RSA key");
		}
		if (rsa && jwk.size() < MIN_RSA_BITS) {
			throw new TokenConfigurationException(property, which + " is an RSA key of " + jwk.size()
					+ " bits; " + algorithm + " needs " + MIN_RSA_BITS + " bits at least");
		}
		if (!rsa && !(KeyType.EC.equals(jwk.getKeyType()) && Curve.P_256.equals(jwk.toECKey().getCurve()))) {
			throw new TokenConfigurationException(property, which + " is " + describeType(jwk) + ", but ES256"
					+ setting + " needs an EC key on curve P-256");
		}
		return algorithm;
	}

	private static @Nullable ClientAssertionAlgorithm supported(String name) {
		for (ClientAssertionAlgorithm candidate : ClientAssertionAlgorithm.values()) {
			if (candidate.name().equals(name)) {
				return candidate;
			}
		}
		return null;
	}

	private static String describe(JWK jwk, int index) {
		return (jwk.getKeyID() != null) ? "'" + jwk.getKeyID() + "'" : "#" + (index + 1);
	}

	private static String describeType(JWK jwk) {
		return KeyType.EC.equals(jwk.getKeyType()) ? "an EC key on " + jwk.toECKey().getCurve()
				: "an " + jwk.getKeyType().getValue().toUpperCase(Locale.ROOT) + " key";
	}

	/**
	 * A signing key and what identifies it in the assertion's header.
	 *
	 * @param jwk the private key, with its algorithm, its key id when it has one and its certificate's SHA-256
	 * thumbprint when it comes with a certificate
	 * @param x509Sha1Thumbprint the certificate's SHA-1 thumbprint (the {@code x5t} header Entra ID looks for),
	 * or null for a key without a certificate
	 */
	public record ClientAssertionKey(JWK jwk, @Nullable String x509Sha1Thumbprint) {

		@Override
		public String toString() {
			return "ClientAssertionKey[kid=" + this.jwk.getKeyID() + ", alg=" + this.jwk.getAlgorithm() + "]";
		}

	}

}
