package dev.tokenstarter.config;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;

import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.test.SigningKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client assertions and mutual TLS configured wrongly stop the start-up with a message naming the property to
 * correct: what the validator sees in the properties, and what only reading the keys shows (a missing or
 * unreadable key, a wrong alias, a key that does not fit its algorithm).
 */
class ClientAssertionValidationTests {

	private static final String P = "token.providers.entra.";

	private static final String A = P + "client-assertion.";

	private static final SigningKeys keys = SigningKeys.create()
		.rsa("rsa", 2048)
		.rsa("small", 1024)
		.ec("p384", "secp384r1");

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenEngineAutoConfiguration.class))
		.withPropertyValues(P + "token-uri=https://login.example.com/tenant/oauth2/v2.0/token", P + "client-id=app-id",
				"token.scheduler.enabled=false")
		.withPropertyValues(keys.pemBundle("rsa", "rsa"))
		.withPropertyValues(keys.keyStoreBundle("store", "rsa", "wrong"));

	static Stream<Arguments> misconfigurations() {
		String privateKeyJwt = P + "client-authentication=private_key_jwt";
		String secretJwt = P + "client-authentication=client_secret_jwt";
		return Stream.of(
				Arguments.of(new String[] { privateKeyJwt },
						A + "ssl-bundles or " + A + "jwk is required for client-authentication private_key_jwt"),
				Arguments.of(new String[] { privateKeyJwt, A + "ssl-bundles=rsa", A + "jwk=file:/nowhere.jwk" },
						A + "jwk and " + A + "ssl-bundles both name keys"),
				Arguments.of(new String[] { privateKeyJwt, A + "ssl-bundles=missing" },
						A + "ssl-bundles names SSL bundle 'missing', which does not exist"),
				Arguments.of(new String[] { privateKeyJwt, A + "ssl-bundles=store" },
						A + "ssl-bundles names SSL bundle 'store', whose key.alias 'wrong' names no private key entry"),
				Arguments.of(new String[] { privateKeyJwt, A + "ssl-bundles=rsa", A + "algorithm=es256" },
						A + "ssl-bundles names SSL bundle 'rsa', whose key is an RSA key, but ES256 (" + A
								+ "algorithm) needs an EC key on curve P-256"),
				Arguments.of(new String[] { privateKeyJwt, A + "jwk=" + keys.jwkFile("small.jwk", "small") },
						"is an RSA key of 1024 bits; RS256 needs 2048 bits at least"),
				Arguments.of(new String[] { privateKeyJwt, A + "jwk=" + keys.jwkFile("p384.jwk", "p384") },
						"is an EC key on P-384, but ES256 needs an EC key on curve P-256"),
				Arguments.of(new String[] { privateKeyJwt, A + "jwk=file:/nowhere/client.jwk" },
						A + "jwk names file:/nowhere/client.jwk, which cannot be read"),
				Arguments.of(new String[] { privateKeyJwt, A + "ssl-bundles=rsa", A + "audience=issuer" },
						P + "issuer-uri is required for client-assertion.audience issuer"),
				Arguments.of(new String[] { secretJwt },
						P + "client-secret is required for client-authentication client_secret_jwt"),
				Arguments.of(new String[] { secretJwt, P + "client-secret=short" },
						P + "client-secret is too short for client-authentication client_secret_jwt"),
				Arguments.of(new String[] { secretJwt, P + "client-secret=a-client-secret-of-more-than-32-bytes",
						A + "ssl-bundles=rsa" }, P + "client-assertion ssl-bundles, jwk, key-id and algorithm are only used"),
				Arguments.of(new String[] { P + "client-secret=s3cr3t", A + "ssl-bundles=rsa" },
						P + "client-assertion is only used by client-authentication private_key_jwt or client_secret_jwt, "
								+ "not client_secret_basic"),
				Arguments.of(new String[] { P + "client-authentication=self_signed_tls_client_auth" },
						P + "ssl-bundle is required for client-authentication self_signed_tls_client_auth"));
	}

	@ParameterizedTest(name = "{1}")
	@MethodSource("misconfigurations")
	void startupFailsNamingTheProperty(String[] settings, String expected) {
		this.runner.withPropertyValues(settings).run((context) -> {
			assertThat(context).hasFailed();
			StringBuilder messages = new StringBuilder();
			for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
				messages.append(t.getMessage()).append('\n');
			}
			assertThat(messages.toString()).contains(expected);
		});
	}

	/**
	 * A JWK given inline, as some libraries take it, where its location is expected: read as a location, it failed
	 * with the whole key, private part included, in the start-up report.
	 */
	@Test
	void aJwkGivenInsteadOfItsLocationIsRefusedWithoutShowingIt() {
		String jwk = keys.jwk("rsa").toJSONString();
		this.runner.withPropertyValues(P + "client-authentication=private_key_jwt")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("inline", Map.of(A + "jwk", jwk))))
			.run((context) -> {
				assertThat(context).hasFailed();
				StringBuilder messages = new StringBuilder();
				for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
					messages.append(t).append('\n');
				}
				String privateExponent = ((RSAKey) keys.jwk("rsa")).getPrivateExponent().toString();
				assertThat(messages.toString()).contains(A + "jwk holds a JWK itself")
					.doesNotContain(privateExponent)
					.doesNotContain("\"d\"");
			});
		String encoded = Base64.getEncoder().encodeToString(jwk.getBytes(StandardCharsets.UTF_8));
		this.runner.withPropertyValues(P + "client-authentication=private_key_jwt", A + "jwk=" + encoded)
			.run((context) -> {
				assertThat(context).hasFailed();
				StringBuilder messages = new StringBuilder();
				for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
					messages.append(t).append('\n');
				}
				assertThat(messages.toString()).contains(A + "jwk is not a location that can be read")
					.doesNotContain(encoded.substring(0, 40));
			});
	}

}
