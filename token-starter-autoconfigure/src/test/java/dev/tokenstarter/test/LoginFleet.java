package dev.tokenstarter.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tokenstarter.store.RedisKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Applications that log users in with the authorization code grant (registration {@value #REGISTRATION}, OpenID
 * Connect, PKCE) against Spring Authorization Server ({@link LoginProvider}), each on its own port and all on one
 * real {@code redis-server}: what the login tests of both web stacks share. Each application serves the signed-in
 * user's access token at {@code /token}. The applications share one clock, which the tests move.
 */
public final class LoginFleet implements AutoCloseable {

	/** The registration id of the login. */
	public static final String REGISTRATION = "login";

	private final MutableClock clock;

	private final RedisServer redis;

	private final LoginProvider provider;

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private LoginFleet(MutableClock clock, RedisServer redis, LoginProvider provider) {
		this.clock = clock;
		this.redis = redis;
		this.provider = provider;
	}

	/**
	 * Starts Redis, the provider and {@code count} instances of an application.
	 * @param clock the engines' clock
	 * @param application the application's configuration class
	 * @param type the web stack
	 * @param count how many instances
	 * @param properties the application's properties beside those of the login and the store
	 * @return the running fleet
	 */
	public static LoginFleet start(MutableClock clock, Class<?> application, WebApplicationType type, int count,
			String... properties) {
		RedisServer redis = RedisServer.start();
		int[] ports = Stream.generate(RedisServer::freePort).limit(count).mapToInt(Integer::intValue).toArray();
		LoginFleet fleet = new LoginFleet(clock, redis, LoginProvider.start(ports));
		try {
			for (int port : ports) {
				fleet.instances.add(fleet.run(application, type, port, properties));
			}
			return fleet;
		}
		catch (RuntimeException ex) {
			fleet.close();
			throw ex;
		}
	}

	private ConfigurableApplicationContext run(Class<?> application, WebApplicationType type, int port,
			String... properties) {
		String registration = "spring.security.oauth2.client.registration." + REGISTRATION + ".";
		return new SpringApplicationBuilder(application).web(type)
			.initializers((context) -> context.getBeanFactory().registerSingleton("testClock", this.clock))
			.properties("server.port=" + port, "spring.main.banner-mode=off",
					"spring.data.redis.url=" + this.redis.url(),
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY,
					"token.defaults.refresh.max-caller-wait=30s",
					// Renewals come from the tests' callers only, so that the provider's counts are theirs.
					"token.scheduler.enabled=false", registration + "client-id=" + LoginProvider.CLIENT_ID,
					registration + "client-secret=" + LoginProvider.CLIENT_SECRET,
					registration + "authorization-grant-type=authorization_code", registration + "scope=openid",
					// A renewal only the user can mend sends the user through the login again, not through
					// Spring's re-authorization of the client, whose callback is another address.
					registration + "redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
					registration + "provider=sas",
					"spring.security.oauth2.client.provider.sas.issuer-uri=" + this.provider.issuer())
			.properties(properties)
			.run();
	}

	/**
	 * Returns an instance, by its position from 0.
	 */
	public ConfigurableApplicationContext instance(int index) {
		return this.instances.get(index);
	}

	public RedisServer redis() {
		return this.redis;
	}

	public LoginProvider provider() {
		return this.provider;
	}

	/**
	 * Returns the base URL of an instance.
	 */
	public static String base(ConfigurableApplicationContext instance) {
		return "http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port");
	}

	/**
	 * Logs a user in on an instance through the provider's login form and returns the access token the instance
	 * then serves at {@code /token}.
	 */
	public String logIn(Browser browser, ConfigurableApplicationContext instance, String user) {
		Browser.Page loginPage = browser.open(base(instance) + "/token");
		assertThat(loginPage.uri().toString()).isEqualTo(this.provider.issuer() + "/login");
		Browser.Page token = browser.logIn(loginPage, user, LoginProvider.PASSWORD);
		assertThat(token.status()).as(token.body()).isEqualTo(200);
		assertThat(token.uri().toString()).startsWith(base(instance) + "/token");
		return token.body();
	}

	/**
	 * Moves the engines' clock past the expiry of every token issued so far, and returns by how much: the clock
	 * stands still while the provider's, which stamps the tokens, goes on.
	 */
	public Duration moveClockPastExpiry() {
		Duration shift = Duration.between(this.clock.instant(), Instant.now())
			.plus(LoginProvider.ACCESS_TOKEN_LIFETIME)
			.plusMinutes(1);
		this.clock.advance(shift);
		return shift;
	}

	/**
	 * Returns the name of the Redis entry of a user's login session.
	 */
	public String entry(String user) {
		return instance(0).getBean(RedisKeys.class).entry(REGISTRATION, user);
	}

	@Override
	public void close() {
		this.instances.forEach(ConfigurableApplicationContext::close);
		this.provider.close();
		this.redis.close();
	}

}
