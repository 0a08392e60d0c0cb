package dev.tokenstarter.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Spring Authorization Server in the test JVM, on a port of its own at {@code localhost} (the applications run at
 * {@code 127.0.0.1}, so a browser keeps their cookies apart): OpenID Connect login with authorization code and
 * PKCE required of its confidential client, refresh tokens rotated on every use, revocation. It counts what
 * clients present at its token and revocation endpoints, so tests judge by what the provider saw.
 */
public final class LoginProvider implements AutoCloseable {

	/** The client id (and secret, {@value #CLIENT_SECRET}) the applications log in with. */
	public static final String CLIENT_ID = "app";

	public static final String CLIENT_SECRET = "app-secret";

	/** Every user's password. */
	public static final String PASSWORD = "password";

	/** How long an access token lives. */
	public static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(5);

	private final ConfigurableApplicationContext context;

	private final Exchanges exchanges;

	private LoginProvider(ConfigurableApplicationContext context) {
		this.context = context;
		this.exchanges = context.getBean(Exchanges.class);
	}

	/**
	 * Starts the server.
	 * @param applicationPorts the ports of the applications allowed to log users in
	 * @return the running server
	 */
	public static LoginProvider start(int... applicationPorts) {
		String redirectUris = java.util.Arrays.stream(applicationPorts)
			.mapToObj((port) -> "http://127.0.0.1:" + port)
			.collect(Collectors.joining(","));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Server.class)
			.web(WebApplicationType.SERVLET)
			.properties("server.port=0", "login.applications=" + redirectUris, "spring.main.banner-mode=off")
			.run();
		return new LoginProvider(context);
	}

	/**
	 * Revokes a refresh token at the provider (RFC 7009), as the user's logout on another device would.
	 */
	public void revokeRefreshToken(String refreshToken) throws Exception {
		revoke(refreshToken, "refresh_token");
	}

	/**
	 * Revokes an access token at the provider (RFC 7009), leaving its refresh token valid: the userinfo endpoint
	 * then refuses the access token with a 401.
	 */
	public void revokeAccessToken(String accessToken) throws Exception {
		revoke(accessToken, "access_token");
	}

	private void revoke(String token, String hint) throws Exception {
		String credentials = Base64.getEncoder()
			.encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(issuer() + "/oauth2/revoke"))
				.header("Authorization", "Basic " + credentials)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("token=" + token + "&token_type_hint=" + hint))
				.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("The provider refused the revocation: " + response.statusCode());
		}
	}

	/**
	 * Returns the OpenID Connect userinfo endpoint: an API that accepts only access tokens the provider still
	 * considers valid.
	 */
	public String userInfoUri() {
		return issuer() + "/userinfo";
	}

	public String issuer() {
		return "http://localhost:" + this.context.getEnvironment().getProperty("local.server.port");
	}

	/**
	 * Returns the refresh tokens presented at the token endpoint, in order.
	 */
	public List<String> presentedRefreshTokens() {
		return List.copyOf(this.exchanges.refreshTokens);
	}

	/**
	 * Returns the tokens presented at the revocation endpoint, in order.
	 */
	public List<String> revokedTokens() {
		return List.copyOf(this.exchanges.revoked);
	}

	/**
	 * Returns the {@code code_verifier} of each authorization code redeemed, by code.
	 */
	public Map<String, String> codeVerifiers() {
		return Map.copyOf(this.exchanges.codeVerifiers);
	}

	@Override
	public void close() {
		this.context.close();
	}

	/**
	 * What clients presented at the token and revocation endpoints.
	 */
	static final class Exchanges extends OncePerRequestFilter {

		final Queue<String> refreshTokens = new ConcurrentLinkedQueue<>();

		final Queue<String> revoked = new ConcurrentLinkedQueue<>();

		final Map<String, String> codeVerifiers = new ConcurrentHashMap<>();

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			String path = request.getRequestURI();
			if (path.equals("/oauth2/token") && "refresh_token".equals(request.getParameter("grant_type"))) {
				this.refreshTokens.add(String.valueOf(request.getParameter("refresh_token")));
			}
			if (path.equals("/oauth2/token") && "authorization_code".equals(request.getParameter("grant_type"))) {
				this.codeVerifiers.put(String.valueOf(request.getParameter("code")),
						String.valueOf(request.getParameter("code_verifier")));
			}
			if (path.equals("/oauth2/revoke")) {
				this.revoked.add(String.valueOf(request.getParameter("token")));
			}
			chain.doFilter(request, response);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSecurity
	static class Server {

		@Bean
		@Order(1)
		SecurityFilterChain authorizationServerChain(HttpSecurity http) throws Exception {
			http.oauth2AuthorizationServer((server) -> {
				http.securityMatcher(server.getEndpointsMatcher());
				server.oidc(Customizer.withDefaults());
			})
				.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.exceptionHandling((exceptions) -> exceptions.defaultAuthenticationEntryPointFor(
						new LoginUrlAuthenticationEntryPoint("/login"),
						new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
			return http.build();
		}

		@Bean
		@Order(2)
		SecurityFilterChain loginChain(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.formLogin(Customizer.withDefaults())
				.build();
		}

		@Bean
		UserDetailsService users() {
			return new InMemoryUserDetailsManager(List.of("alice", "bob", "carol", "dave", "erin")
				.stream()
				.map((name) -> User.withUsername(name).password("{noop}" + PASSWORD).roles("USER").build())
				.toList());
		}

		@Bean
		RegisteredClientRepository clients(org.springframework.core.env.Environment environment) {
			RegisteredClient.Builder client = RegisteredClient.withId(CLIENT_ID)
				.clientId(CLIENT_ID)
				.clientSecret("{noop}" + CLIENT_SECRET)
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
				.authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
				.scope(OidcScopes.OPENID)
				.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
				.tokenSettings(TokenSettings.builder()
					.accessTokenTimeToLive(ACCESS_TOKEN_LIFETIME)
					.refreshTokenTimeToLive(Duration.ofHours(1))
					.reuseRefreshTokens(false)
					.build());
			for (String application : environment.getRequiredProperty("login.applications").split(",")) {
				client.redirectUri(application + "/login/oauth2/code/login").postLogoutRedirectUri(application + "/");
			}
			return new InMemoryRegisteredClientRepository(client.build());
		}

		@Bean
		OAuth2AuthorizationService authorizations() {
			return new InMemoryOAuth2AuthorizationService();
		}

		@Bean
		AuthorizationServerSettings authorizationServerSettings() {
			return AuthorizationServerSettings.builder().build();
		}

		@Bean
		JWKSource<SecurityContext> keys() throws NoSuchAlgorithmException {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			KeyPair pair = generator.generateKeyPair();
			RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey(pair.getPrivate())
				.keyID("test")
				.build();
			return new ImmutableJWKSet<>(new JWKSet(key));
		}

		/** For the OpenID Connect endpoints that take the server's own tokens (user info, client registration). */
		@Bean
		JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
			return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
		}

		@Bean
		Exchanges exchanges() {
			return new Exchanges();
		}

		@Bean
		FilterRegistrationBean<Exchanges> exchangesRegistration(Exchanges exchanges) {
			FilterRegistrationBean<Exchanges> registration = new FilterRegistrationBean<>(exchanges);
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
