package dev.tokenstarter.test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Spring Authorization Server and a Spring Security resource server in the test JVM, in one application on a free
 * port. The authorization server verifies the DPoP proof of each token request ({@code DPoPProofVerifier}) and
 * binds the JWT access tokens it issues to the proof's key ({@code token_type} {@code DPoP}, {@code cnf.jkt}); the
 * resource server ({@code oauth2ResourceServer().dPoP()}) accepts a DPoP-bound token at {@code /api/**} only with
 * a valid proof of that key, and refuses it as a Bearer token. Client {@code dpop-client} gets tokens with client
 * credentials. Records what it received and what it answered: the verdicts of a test come from here.
 */
public final class DpopAuthorizationServer implements AutoCloseable {

	public static final String CLIENT_ID = "dpop-client";

	public static final String CLIENT_SECRET = "dpop-client-secret";

	private final ConfigurableApplicationContext context;

	private final String baseUrl;

	private DpopAuthorizationServer(ConfigurableApplicationContext context) {
		this.context = context;
		this.baseUrl = "http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	public static DpopAuthorizationServer start() {
		return new DpopAuthorizationServer(new SpringApplicationBuilder(Config.class)
			.web(WebApplicationType.SERVLET)
			.properties("server.port=0", "spring.main.banner-mode=off")
			.run());
	}

	public String baseUrl() {
		return this.baseUrl;
	}

	public String tokenUri() {
		return this.baseUrl + "/oauth2/token";
	}

	/** A decoder that checks the signatures of the server's access tokens. */
	public JwtDecoder decoder() {
		return this.context.getBean(Config.class).decoder;
	}

	/** The HTTP status of every answer of the token endpoint, in order. */
	public List<Integer> tokenAnswers() {
		return List.copyOf(this.context.getBean(Traffic.class).tokenAnswers);
	}

	/**
	 * Every answer of the API, in order: its status, and for a refusal the {@code WWW-Authenticate} header.
	 */
	public List<String> apiAnswers() {
		return List.copyOf(this.context.getBean(Traffic.class).apiAnswers);
	}

	/** The {@code cnf.jkt} of the token of every API call the resource server accepted, in order. */
	public List<String> acceptedKeys() {
		return List.copyOf(this.context.getBean(Traffic.class).acceptedKeys);
	}

	public void reset() {
		Traffic traffic = this.context.getBean(Traffic.class);
		traffic.tokenAnswers.clear();
		traffic.apiAnswers.clear();
		traffic.acceptedKeys.clear();
	}

	@Override
	public void close() {
		this.context.close();
	}

	static final class Traffic {

		final List<Integer> tokenAnswers = new CopyOnWriteArrayList<>();

		final List<String> apiAnswers = new CopyOnWriteArrayList<>();

		final List<String> acceptedKeys = new CopyOnWriteArrayList<>();

	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	@ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
			WebMvcAutoConfiguration.class })
	static class Config {

		private final RSAKey key;

		final JwtDecoder decoder;

		Config() throws JOSEException {
			this.key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
			this.decoder = NimbusJwtDecoder.withPublicKey(this.key.toRSAPublicKey()).build();
		}

		@Bean
		@Order(1)
		SecurityFilterChain resourceServer(HttpSecurity http) throws Exception {
			http.securityMatcher("/api/**")
				.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.oauth2ResourceServer((server) -> server.jwt((jwt) -> jwt.decoder(this.decoder))
					.dPoP(Customizer.withDefaults()));
			return http.build();
		}

		@Bean
		@Order(2)
		SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
			http.oauth2AuthorizationServer(Customizer.withDefaults())
				.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated());
			return http.build();
		}

		@Bean
		Traffic traffic() {
			return new Traffic();
		}

		@Bean
		FilterRegistrationBean<Filter> recorder(Traffic traffic) {
			// Ahead of Spring Security's filters, so refusals are recorded as well as what gets through; the answer
			// is held back until it is recorded, so a client never sees it before the record has it.
			Filter recorder = (request, response, chain) -> {
				ContentCachingResponseWrapper answer = new ContentCachingResponseWrapper((HttpServletResponse) response);
				chain.doFilter(request, answer);
				remember(traffic, (HttpServletRequest) request, answer);
				answer.copyBodyToResponse();
			};
			FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(recorder);
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

		private static void remember(Traffic traffic, HttpServletRequest request, HttpServletResponse response) {
			if (request.getRequestURI().equals("/oauth2/token")) {
				traffic.tokenAnswers.add(response.getStatus());
			}
			else if (request.getRequestURI().startsWith("/api/")) {
				String challenge = response.getHeader(HttpHeaders.WWW_AUTHENTICATE);
				traffic.apiAnswers.add(response.getStatus() + ((challenge != null) ? " " + challenge : ""));
			}
		}

		@Bean
		RouterFunction<ServerResponse> api(Traffic traffic) {
			return RouterFunctions.route().GET("/api/accounts", (request) -> {
				Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
				if (!(authentication instanceof JwtAuthenticationToken jwt)) {
					throw new IllegalStateException("Not a JWT authentication: " + authentication);
				}
				Map<String, Object> confirmation = jwt.getToken().getClaimAsMap("cnf");
				traffic.acceptedKeys.add(String.valueOf((confirmation != null) ? confirmation.get("jkt") : null));
				return ServerResponse.ok().body("accounts of " + jwt.getName());
			}).build();
		}

		@Bean
		RegisteredClientRepository clients() {
			return new InMemoryRegisteredClientRepository(RegisteredClient.withId(UUID.randomUUID().toString())
				.clientId(CLIENT_ID)
				.clientSecret("{noop}" + CLIENT_SECRET)
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scope("accounts")
				.build());
		}

		@Bean
		JWKSource<SecurityContext> keys() {
			return new ImmutableJWKSet<>(new JWKSet(this.key));
		}

		@Bean
		AuthorizationServerSettings authorizationServerSettings() {
			return AuthorizationServerSettings.builder().build();
		}

	}

}
