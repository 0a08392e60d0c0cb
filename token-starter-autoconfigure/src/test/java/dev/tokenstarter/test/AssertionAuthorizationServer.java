package dev.tokenstarter.test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.sun.net.httpserver.HttpServer;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Authorization Server in the test JVM, on a free port, with client {@code assertion-client} registered
 * for private_key_jwt: the server verifies each client assertion with the public keys it reads from the client's
 * JWK set URL (served here by a small JDK server, as a client publishes its keys), RS256 only, as its
 * {@code JwtClientAssertionAuthenticationProvider} does for any client.
 */
public final class AssertionAuthorizationServer implements AutoCloseable {

	public static final String CLIENT_ID = "assertion-client";

	private final HttpServer clientKeys;

	private final ConfigurableApplicationContext context;

	private final String issuer;

	private AssertionAuthorizationServer(HttpServer clientKeys, ConfigurableApplicationContext context) {
		this.clientKeys = clientKeys;
		this.context = context;
		this.issuer = "http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/**
	 * Starts the server, trusting the public part of the given JWK set as the client's keys.
	 * @param clientJwks the client's keys
	 * @return the running server
	 */
	public static AssertionAuthorizationServer start(JWKSet clientJwks) {
		try {
			HttpServer keys = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			byte[] body = clientJwks.toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
			keys.createContext("/jwks", (exchange) -> {
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, body.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(body);
				}
			});
			keys.start();
			String jwksUrl = "http://127.0.0.1:" + keys.getAddress().getPort() + "/jwks";
			return new AssertionAuthorizationServer(keys,
					new SpringApplicationBuilder(Config.class).web(WebApplicationType.SERVLET)
						.properties("server.port=0", "spring.main.banner-mode=off", "test.client-jwks=" + jwksUrl)
						.run());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String tokenUri() {
		return this.issuer + "/oauth2/token";
	}

	@Override
	public void close() {
		this.context.close();
		this.clientKeys.stop(0);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	@ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
			WebMvcAutoConfiguration.class })
	static class Config {

		@Bean
		SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
			http.oauth2AuthorizationServer(Customizer.withDefaults())
				.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated());
			return http.build();
		}

		@Bean
		RegisteredClientRepository registeredClients(Environment environment) {
			return new InMemoryRegisteredClientRepository(RegisteredClient.withId(UUID.randomUUID().toString())
				.clientId(CLIENT_ID)
				.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scope("payments")
				.clientSettings(ClientSettings.builder()
					.jwkSetUrl(environment.getRequiredProperty("test.client-jwks"))
					.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.RS256)
					.build())
				.build());
		}

		@Bean
		AuthorizationServerSettings authorizationServerSettings() {
			return AuthorizationServerSettings.builder().build();
		}

		@Bean
		JWKSource<SecurityContext> serverKeys() throws Exception {
			RSAKey key = new RSAKeyGenerator(2048).keyID("server").generate();
			return new ImmutableJWKSet<>(new JWKSet(key));
		}

	}

}
