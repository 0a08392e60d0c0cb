package dev.tokenstarter.test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;

/**
 * Client assertion keys made fresh by the JDK's {@code keytool} in a temporary directory, so no key is ever
 * committed: each a PKCS12 store with a self-signed certificate, the certificate and key as PEM files (what Entra
 * ID or an HSM export hands out), and the key as a private JWK for {@code client-assertion.jwk}.
 */
public final class SigningKeys {

	public static final String PASSWORD = "test-only";

	private final Path directory;

	private SigningKeys(Path directory) {
		this.directory = directory;
	}

	/**
	 * Creates an empty set of keys.
	 */
	public static SigningKeys create() {
		try {
			Path directory = Files.createTempDirectory("token-starter-assertion-keys");
			directory.toFile().deleteOnExit();
			return new SigningKeys(directory);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Generates an RSA key of the given size.
	 * @param name the key's name (its alias in its store)
	 * @param bits the modulus size
	 * @return this
	 */
	public SigningKeys rsa(String name, int bits) {
		return generate(name, "-keyalg", "RSA", "-keysize", Integer.toString(bits));
	}

	/**
	 * Generates an EC key on a named curve (secp256r1 is ES256's P-256).
	 * @param name the key's name
	 * @param curve the curve's name
	 * @return this
	 */
	public SigningKeys ec(String name, String curve) {
		return generate(name, "-keyalg", "EC", "-groupname", curve);
	}

	/**
	 * The properties of a PEM SSL bundle holding one key and its certificate.
	 * @param bundle the bundle's name
	 * @param key the key's name
	 * @return the {@code spring.ssl.bundle.pem.<bundle>.*} properties
	 */
	public String[] pemBundle(String bundle, String key) {
		String prefix = "spring.ssl.bundle.pem." + bundle + ".";
		return new String[] { prefix + "keystore.certificate=" + path(key + ".crt"),
				prefix + "keystore.private-key=" + path(key + ".key") };
	}

	/**
	 * The properties of a PKCS12 key store SSL bundle holding one key, with the given key alias.
	 * @param bundle the bundle's name
	 * @param key the key's name
	 * @param alias the bundle's key.alias
	 * @return the {@code spring.ssl.bundle.jks.<bundle>.*} properties
	 */
	public String[] keyStoreBundle(String bundle, String key, String alias) {
		String prefix = "spring.ssl.bundle.jks." + bundle + ".";
		return new String[] { prefix + "keystore.location=file:" + path(key + ".p12"),
				prefix + "keystore.type=PKCS12", prefix + "keystore.password=" + PASSWORD, prefix + "key.alias=" + alias,
				prefix + "key.password=" + PASSWORD };
	}

	/**
	 * Writes the private keys, in this order, to a JWK set file, each with its name as kid.
	 * @param file the file's name
	 * @param keys the keys' names
	 * @return the file's location, for client-assertion.jwk
	 */
	public String jwkSetFile(String file, String... keys) {
		List<JWK> jwks = new ArrayList<>();
		for (String key : keys) {
			jwks.add(jwk(key));
		}
		return write(file, new JWKSet(jwks).toString(false));
	}

	/**
	 * Writes one private key, with its name as kid, to a JWK file.
	 * @param file the file's name
	 * @param key the key's name
	 * @return the file's location
	 */
	public String jwkFile(String file, String key) {
		return write(file, jwk(key).toJSONString());
	}

	/**
	 * Returns a private key as a JWK whose kid is its name, with its certificate and the certificate's SHA-256
	 * thumbprint. Built by hand: Nimbus's key store loader needs Bouncy Castle for EC keys.
	 */
	public JWK jwk(String key) {
		try (InputStream in = Files.newInputStream(Path.of(path(key + ".p12")))) {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(in, PASSWORD.toCharArray());
			PrivateKey privateKey = (PrivateKey) store.getKey(key, PASSWORD.toCharArray());
			X509Certificate certificate = (X509Certificate) store.getCertificate(key);
			List<Base64> chain = List.of(Base64.encode(certificate.getEncoded()));
			Base64URL thumbprint = Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
			if (certificate.getPublicKey() instanceof RSAPublicKey rsa) {
				return new RSAKey.Builder(rsa).privateKey(privateKey).keyID(key).x509CertChain(chain)
					.x509CertSHA256Thumbprint(thumbprint).build();
			}
			ECPublicKey ec = (ECPublicKey) certificate.getPublicKey();
			return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).privateKey(privateKey).keyID(key)
				.x509CertChain(chain).x509CertSHA256Thumbprint(thumbprint).build();
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private String write(String file, String content) {
		try {
			Path target = Path.of(path(file));
			Files.writeString(target, content);
			return "file:" + target;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private SigningKeys generate(String name, String... algorithm) {
		try {
			List<String> arguments = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-dname",
					"CN=token-starter-" + name, "-validity", "2", "-keystore", path(name + ".p12"), "-storetype",
					"PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
			arguments.addAll(List.of(algorithm));
			keytool(arguments.toArray(String[]::new));
			keytool("-exportcert", "-rfc", "-alias", name, "-keystore", path(name + ".p12"), "-storepass", PASSWORD,
					"-file", path(name + ".crt"));
			KeyStore store = KeyStore.getInstance("PKCS12");
			try (InputStream in = Files.newInputStream(Path.of(path(name + ".p12")))) {
				store.load(in, PASSWORD.toCharArray());
			}
			byte[] encoded = store.getKey(name, PASSWORD.toCharArray()).getEncoded();
			Files.writeString(Path.of(path(name + ".key")), "-----BEGIN PRIVATE KEY-----\n"
					+ java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(encoded)
					+ "\n-----END PRIVATE KEY-----\n");
			return this;
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("Could not generate key " + name, ex);
		}
	}

	private String path(String name) {
		Path file = this.directory.resolve(name);
		file.toFile().deleteOnExit();
		return file.toString();
	}

	private static void keytool(String... arguments) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IOException("keytool " + arguments[0] + " failed: " + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while running keytool", ex);
		}
	}

}
