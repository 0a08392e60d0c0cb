package dev.tokenstarter.test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Certificates for mutual-TLS tests, made fresh by the JDK's {@code keytool} in a temporary directory, so no key
 * is ever committed: a server certificate for localhost, a client certificate (as Pagstar hands them out: a PEM
 * {@code .crt} and {@code .key}), an expired client certificate, and the server's trust store holding the
 * client certificates.
 */
public final class TestCertificates {

	public static final String PASSWORD = "test-only";

	private final Path directory;

	private TestCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Generates every certificate and store.
	 * @return the certificates
	 */
	public static TestCertificates generate() {
		try {
			Path directory = Files.createTempDirectory("token-starter-mtls");
			directory.toFile().deleteOnExit();
			TestCertificates certificates = new TestCertificates(directory);
			certificates.keyPair("server", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1");
			certificates.keyPair("client", "CN=token-starter-test-client");
			certificates.keyPair("expired", "CN=token-starter-expired-client", "-startdate", "-3d", "-validity", "1");
			for (String name : List.of("server", "client", "expired")) {
				certificates.keytool("-exportcert", "-rfc", "-alias", name, "-keystore", certificates.store(name),
						"-storepass", PASSWORD, "-file", certificates.path(name + ".crt").toString());
				certificates.writePrivateKey(name);
			}
			for (String name : List.of("client", "expired")) {
				certificates.keytool("-importcert", "-noprompt", "-alias", name, "-file",
						certificates.path(name + ".crt").toString(), "-keystore", certificates.serverTrustStore(),
						"-storetype", "PKCS12", "-storepass", PASSWORD);
			}
			return certificates;
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("Could not generate test certificates", ex);
		}
	}

	/**
	 * A WireMock server on HTTPS only, with the localhost certificate, that requires a client certificate signed
	 * as the test client's (or the expired one's).
	 * @return the server's configuration
	 */
	public WireMockConfiguration mutualTlsServer() {
		return wireMockConfig().httpDisabled(true)
			.dynamicHttpsPort()
			.keystorePath(serverKeyStore())
			.keystoreType("PKCS12")
			.keystorePassword(PASSWORD)
			.keyManagerPassword(PASSWORD)
			.needClientAuth(true)
			.trustStorePath(serverTrustStore())
			.trustStoreType("PKCS12")
			.trustStorePassword(PASSWORD);
	}

	/**
	 * The properties of a Spring Boot SSL bundle with the test client's certificate and key, trusting the
	 * server's certificate.
	 * @param bundle the bundle's name
	 * @return the {@code spring.ssl.bundle.pem.<bundle>.*} properties
	 */
	public String[] clientBundle(String bundle) {
		String prefix = "spring.ssl.bundle.pem." + bundle + ".";
		return new String[] { prefix + "keystore.certificate=" + pem("client.crt"),
				prefix + "keystore.private-key=" + pem("client.key"),
				prefix + "truststore.certificate=" + pem("server.crt") };
	}

	/** The server's key store (PKCS12). */
	public String serverKeyStore() {
		return store("server");
	}

	/** The server's trust store (PKCS12) with the client certificates. */
	public String serverTrustStore() {
		return path("server-trust.p12").toString();
	}

	/** A PEM file: {@code server.crt}, {@code client.crt}, {@code client.key}, {@code expired.crt}… */
	public String pem(String name) {
		return path(name).toString();
	}

	private String store(String name) {
		return path(name + ".p12").toString();
	}

	private Path path(String name) {
		Path file = this.directory.resolve(name);
		file.toFile().deleteOnExit();
		return file;
	}

	private void keyPair(String name, String subject, String... extra) throws IOException {
		List<String> arguments = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname",
				"secp256r1", "-dname", subject, "-validity", "2", "-keystore", store(name), "-storetype", "PKCS12",
				"-storepass", PASSWORD, "-keypass", PASSWORD));
		arguments.addAll(List.of(extra));
		keytool(arguments.toArray(String[]::new));
	}

	/**
	 * keytool cannot export a private key; the JDK can read it from the PKCS12 store and PEM is Base64.
	 */
	private void writePrivateKey(String name) throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(Path.of(store(name)))) {
			store.load(in, PASSWORD.toCharArray());
		}
		Key key = store.getKey(name, PASSWORD.toCharArray());
		String pem = "-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
				+ "\n-----END PRIVATE KEY-----\n";
		Files.writeString(path(name + ".key"), pem);
	}

	private void keytool(String... arguments) throws IOException {
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
