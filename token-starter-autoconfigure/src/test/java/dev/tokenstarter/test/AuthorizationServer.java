package dev.tokenstarter.test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;

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
import org.springframework.core.Ordered;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

/**
 * Spring Authorization Server in the test JVM, on a free port: clients {@code alice} and {@code bob} get access
 * tokens with client credentials (their tokens are the subject tokens: the server's own user flows need a
 * browser sign-in), and client {@code gateway} exchanges them (RFC 8693). The server exchanges only tokens whose
 * authorization names a principal, as a user's sign-in does and client credentials do not: this server's
 * authorization service records the client as that principal. The exchanged JWT's audience is the
 * {@code audience} the request named. Counts the token exchange requests it receives.
 */
public final class AuthorizationServer implements AutoCloseable {

	/** The client that exchanges tokens, and its secret. */
	public static final String GATEWAY = "gateway";

	public static final String GATEWAY_SECRET = "gateway-secret";

	private static final AtomicInteger exchanges = new AtomicInteger();

	private final ConfigurableApplicationContext context;

	private final String issuer;

	private AuthorizationServer(ConfigurableApplicationContext context) {
		this.context = context;
		this.issuer = "http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	public static AuthorizationServer start() {
		return new AuthorizationServer(new SpringApplicationBuilder(Config.class).web(WebApplicationType.SERVLET)
			.properties("server.port=0", "spring.main.banner-mode=off")
			.run());
	}

	public String tokenUri() {
		return this.issuer + "/oauth2/token";
	}

	/** How many token exchange requests the server received since the last {@link #resetCount()}. */
	public int exchangeCount() {
		return exchanges.get();
	}

	public void resetCount() {
		exchanges.set(0);
	}

	/**
	 * Returns an access token of client {@code alice} or {@code bob}, obtained from the server over HTTP.
	 */
	public OAuth2AccessToken subjectToken(String client) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("grant_type", "client_credentials");
		Map<String, Object> answer = RestClient.create()
			.post()
			.uri(tokenUri())
			.headers((headers) -> headers.setBasicAuth(client, client + "-secret"))
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(form)
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		Jwt jwt = decoder().decode((String) answer.get("access_token"));
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, jwt.getTokenValue(), jwt.getIssuedAt(),
				jwt.getExpiresAt());
	}

	/** A decoder that checks the server's signatures. */
	public JwtDecoder decoder() {
		return NimbusJwtDecoder.withJwkSetUri(this.issuer + "/oauth2/jwks").build();
	}

	@Override
	public void close() {
		this.context.close();
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
		FilterRegistrationBean<Filter> exchangeCounter() {
			Filter counter = (request, response, chain) -> {
				if (request instanceof HttpServletRequest http && "POST".equals(http.getMethod())
						&& AuthorizationGrantType.TOKEN_EXCHANGE.getValue().equals(http.getParameter("grant_type"))) {
					exchanges.incrementAndGet();
				}
				chain.doFilter(request, response);
			};
			FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(counter);
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

		@Bean
		RegisteredClientRepository clients() {
			return new InMemoryRegisteredClientRepository(subjectClient("alice"), subjectClient("bob"),
					RegisteredClient.withId(UUID.randomUUID().toString())
						.clientId(GATEWAY)
						.clientSecret("{noop}" + GATEWAY_SECRET)
						.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
						.authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
						.build());
		}

		private static RegisteredClient subjectClient(String name) {
			return RegisteredClient.withId(UUID.randomUUID().toString())
				.clientId(name)
				.clientSecret("{noop}" + name + "-secret")
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.build();
		}

		@Bean
		OAuth2TokenCustomizer<JwtEncodingContext> audienceOfExchanges() {
			return (context) -> {
				if (context.getAuthorizationGrant() instanceof OAuth2TokenExchangeAuthenticationToken exchange
						&& !exchange.getAudiences().isEmpty()) {
					context.getClaims().audience(new ArrayList<>(exchange.getAudiences()));
				}
			};
		}

		@Bean
		JWKSource<SecurityContext> keys() throws NoSuchAlgorithmException {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			KeyPair pair = generator.generateKeyPair();
			RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
				.keyID(UUID.randomUUID().toString())
				.build();
			return new ImmutableJWKSet<>(new JWKSet(key));
		}

		@Bean
		OAuth2AuthorizationService authorizations() {
			InMemoryOAuth2AuthorizationService store = new InMemoryOAuth2AuthorizationService();
			return new OAuth2AuthorizationService() {

				@Override
				public void save(OAuth2Authorization authorization) {
					store.save((authorization.getAttribute(Principal.class.getName()) != null) ? authorization
							: OAuth2Authorization.from(authorization)
								.attribute(Principal.class.getName(), UsernamePasswordAuthenticationToken
									.authenticated(authorization.getPrincipalName(), null, List.of()))
								.build());
				}

				@Override
				public void remove(OAuth2Authorization authorization) {
					store.remove(authorization);
				}

				@Override
				public OAuth2Authorization findById(String id) {
					return store.findById(id);
				}

				@Override
				public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
					return store.findByToken(token, tokenType);
				}

			};
		}

		@Bean
		AuthorizationServerSettings authorizationServerSettings() {
			return AuthorizationServerSettings.builder().build();
		}

	}

}
