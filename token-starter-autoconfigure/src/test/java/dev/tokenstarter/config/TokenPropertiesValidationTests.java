package dev.tokenstarter.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenPropertiesAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Misconfiguration fails at start-up with a message naming the exact property and what it accepts.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenPropertiesValidationTests {

	private static final String P = "token.providers.acme.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
		.withPropertyValues(P + "token-uri=https://auth.example.com/token", P + "client-id=id",
				P + "client-secret=s3cr3t-value");

	static Stream<Arguments> invalidSettings() {
		return Stream.of(Arguments.of(P + "token-uri=", P + "token-uri is required"),
				Arguments.of(P + "client-id=", P + "client-id is required"),
				Arguments.of(P + "client-secret=", P + "client-secret is required"),
				Arguments.of(P + "token-uri=not a url", P + "token-uri is not a valid URL"),
				Arguments.of(P + "token-uri=ftp://auth.example.com/token",
						P + "token-uri must be an absolute http or https URL"),
				Arguments.of(P + "base-url=/relative", P + "base-url must be an absolute http or https URL"),
				Arguments.of(P + "refresh.expiry-margin=-5s", P + "refresh.expiry-margin must not be a negative"),
				Arguments.of(P + "refresh.refresh-ahead-ratio=1.5", P + "refresh.refresh-ahead-ratio must be more than 0"),
				Arguments.of(P + "retry.max-attempts=0", P + "retry.max-attempts must be at least 1"),
				Arguments.of(P + "retry.timeout=0s", P + "retry.timeout must be a positive duration"),
				Arguments.of(P + "unauthorized-statuses=200", P + "unauthorized-statuses must hold HTTP error statuses"),
				Arguments.of("token.defaults.refresh.default-lifetime=-1m",
						"token.defaults.refresh.default-lifetime must be at least 1s"),
				Arguments.of("token.scheduler.interval=0s", "token.scheduler.interval must be a positive duration"),
				Arguments.of("token.scheduler.interval=500us",
						"token.scheduler.interval must be a positive duration of at least 1ms"),
				Arguments.of("token.store.redis.timeout=30d",
						"token.store.redis.timeout must be at most 2147483647ms (24 days)"),
				Arguments.of("token.keys.max-held=0", "token.keys.max-held must be at least 1"),
				Arguments.of("token.keys.idle-timeout=0s", "token.keys.idle-timeout must be longer than a token "
						+ "request with its retries (token.defaults.retry.timeout, 30s)"),
				Arguments.of(P + "retry.timeout=45m", "token.keys.idle-timeout must be longer than a token request "
						+ "with its retries (" + P + "retry.timeout, 2700s), not PT30M"),
				Arguments.of(P + "parameters.grant_type=password",
						P + "parameters.grant_type is set by the grant itself"),
				Arguments.of("token.defaults.parameters.scope=admin",
						"token.defaults.parameters.scope is set by the grant itself"),
				Arguments.of(P + "username=bob", P + "username and password are only used by grant-type password"),
				Arguments.of(P + "revoke-uri=/oauth2/revoke", P + "revoke-uri must be an absolute http or https URL"),
				Arguments.of(P + "type=nomba", P + "account-id is required for type nomba"),
				Arguments.of(P + "type=nomba", P + "base-url or " + P + "nomba-environment (production or sandbox) is required"),
				Arguments.of(P + "account-id=abc", P + "type must be nomba to use account-id"),
				Arguments.of(P + "issuer-uri=realms/x", P + "issuer-uri must be an absolute http or https URL"),
				Arguments.of(P + "client-authentication=tls_client_auth",
						P + "ssl-bundle is required for client-authentication tls_client_auth"),
				Arguments.of(P + "headers.X-Tenant=a\r\nInjected: yes",
						P + "headers.X-Tenant must not contain control characters (line breaks"),
				Arguments.of("token.defaults.headers.X-Source=a\u0000b",
						"token.defaults.headers.X-Source must not contain control characters"),
				Arguments.of(P + "headers[X Tenant]=t1", P + "headers[X Tenant] is not a header name"),
				Arguments.of(P + "scopes=read,caf\u00e9", P + "scopes must hold RFC 6749 scope tokens"),
				Arguments.of("token.defaults.scopes=quote\"d", "token.defaults.scopes must hold RFC 6749 scope tokens"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidSettings")
	void invalidSettingFailsStartupNamingTheProperty(String setting, String expected) {
		this.runner.withPropertyValues(setting).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains(expected).doesNotContain("s3cr3t-value");
			assertThat(analysis.getAction()).contains("application configuration");
		});
	}

	/**
	 * The engine finds its own providers first: a Spring Security registration of the same name would be
	 * shadowed, its logins started with the provider's grant.
	 */
	@Test
	void aProviderNamedLikeASpringSecurityRegistrationFailsStartupNamingBoth() {
		this.runner
			.withPropertyValues("spring.security.oauth2.client.registration.acme.client-id=web",
					"spring.security.oauth2.client.registration.acme.authorization-grant-type=authorization_code")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new TokenConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription())
					.contains("token.providers.acme has the name of spring.security.oauth2.client.registration.acme");
			});
		this.runner.withPropertyValues("spring.security.oauth2.client.registration.web.client-id=web")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	/**
	 * A provider's name and a principal's are joined by a colon in the names of its Redis entries and locks:
	 * provider {@code a:b}'s user {@code c} and provider {@code a}'s user {@code b:c} would share one entry, and
	 * one of them be served the other's token.
	 */
	@Test
	void aRegistrationNamedWithAColonFailsStartupNamingIt() {
		this.runner
			.withInitializer(properties(Map.of("token.providers[pay:eu].token-uri", "https://auth.example.com/token",
					"token.providers[pay:eu].client-id", "id", "token.providers[pay:eu].client-secret", "s3cr3t-value")))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("token.providers.pay:eu must not hold ':'");
			});
		this.runner
			.withInitializer(properties(Map.of("spring.security.oauth2.client.registration[web:eu].client-id", "web",
					"spring.security.oauth2.client.registration[web:eu].authorization-grant-type",
					"authorization_code")))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new TokenConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription())
					.contains("spring.security.oauth2.client.registration.web:eu must not hold ':'");
			});
	}

	/**
	 * A Spring Security registration cannot name a client certificate: with mutual TLS client authentication the
	 * starter's token requests go out naming the client alone (unless the JDK's client presents the JVM's own key
	 * store, or a mesh the certificate), which is said at start-up.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "tls_client_auth", "self_signed_tls_client_auth" })
	void aSpringSecurityRegistrationWithMutualTlsClientAuthenticationIsWarnedOf(String method, CapturedOutput output) {
		String web = "spring.security.oauth2.client.registration.web.";
		this.runner
			.withPropertyValues(web + "client-id=web", web + "authorization-grant-type=client_credentials",
					web + "client-authentication-method=" + method)
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains(web + "client-authentication-method is " + method)
			.contains("declare the provider under token.providers, with an ssl-bundle");
	}

	/**
	 * A client_secret_jwt assertion is signed with HS256 keyed by the secret, which Nimbus refuses under 256
	 * bits: a Spring Security registration with a shorter one would fail every token request it makes.
	 */
	@Test
	void aSpringSecurityRegistrationWithASecretTooShortForClientSecretJwtFailsStartupNamingIt() {
		String web = "spring.security.oauth2.client.registration.web.";
		this.runner
			.withPropertyValues(web + "client-id=web", web + "client-secret=s3cr3t-value",
					web + "authorization-grant-type=client_credentials",
					web + "client-authentication-method=client_secret_jwt")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new TokenConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription())
					.contains(web + "client-secret is too short for client-authentication-method client_secret_jwt: "
							+ "HS256 needs a secret of at least 32 bytes")
					.doesNotContain("s3cr3t-value");
			});
		this.runner
			.withPropertyValues(web + "client-id=web", web + "client-secret=a-client-secret-of-more-than-32-bytes",
					web + "authorization-grant-type=client_credentials",
					web + "client-authentication-method=client_secret_jwt")
			.run((context) -> assertThat(context).hasNotFailed());
		this.runner
			.withPropertyValues(web + "client-id=web", web + "client-secret=s3cr3t-value",
					web + "authorization-grant-type=client_credentials")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	/**
	 * Adds properties whose names hold colons, which {@code withPropertyValues} would take for the separator.
	 */
	private static ApplicationContextInitializer<ConfigurableApplicationContext> properties(Map<String, Object> values) {
		return (context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("names-with-colons", values));
	}

	@Test
	void aPasswordGrantUserNeedsBothUsernameAndPassword() {
		this.runner.withPropertyValues(P + "type=wso2", P + "password=s3cr3t-value").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
				.contains(P + "username is required for grant-type password")
				.doesNotContain("s3cr3t-value");
		});
		this.runner.withPropertyValues(P + "grant-type=password", P + "username=u").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
				.contains(P + "password is required for grant-type password");
		});
	}

	@Test
	void aPasswordGrantProviderWithoutAUserOfItsOwnStartsForUsersWhoSignIn() {
		this.runner.withPropertyValues(P + "type=wso2").run((context) -> assertThat(context).hasNotFailed());
	}

	/**
	 * A token without a stated lifetime is kept for default-lifetime, which must then be a lifetime the provider
	 * could have stated: whole seconds (expires_in is in seconds), and no longer than max-lifetime.
	 */
	static Stream<Arguments> inconsistentLifetimes() {
		return Stream.of(
				Arguments.of(new String[] { P + "refresh.default-lifetime=2h", P + "refresh.max-lifetime=1h" },
						P + "refresh.default-lifetime (PT2H) must not be longer than refresh.max-lifetime (PT1H)"),
				Arguments.of(new String[] { "token.defaults.refresh.default-lifetime=40d" },
						"token.defaults.refresh.default-lifetime (PT960H) must not be longer than refresh.max-lifetime (PT720H)"),
				Arguments.of(new String[] { "token.defaults.refresh.max-lifetime=1m" },
						"token.defaults.refresh.max-lifetime (PT1M) must not be shorter than refresh.default-lifetime (PT5M)"),
				Arguments.of(new String[] { "token.defaults.refresh.max-lifetime=1h", P + "refresh.default-lifetime=2h" },
						P + "refresh.default-lifetime (PT2H) must not be longer than refresh.max-lifetime (PT1H)"),
				Arguments.of(new String[] { P + "refresh.max-lifetime=500ms" },
						P + "refresh.max-lifetime must be at least 1s"),
				Arguments.of(new String[] { "token.defaults.refresh.default-lifetime=999ms" },
						"token.defaults.refresh.default-lifetime must be at least 1s"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("inconsistentLifetimes")
	void aLifetimeNoTokenCouldStateFailsStartupNamingTheProperty(String[] settings, String expected) {
		this.runner.withPropertyValues(settings).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains(expected);
		});
	}

	@Test
	void valuesOfTheWrongTypeAreReportedWithEveryOtherWrongProperty() {
		this.runner.withConfiguration(AutoConfigurations.of(TokenPropertiesAutoConfiguration.class))
			.withPropertyValues(P + "type=keycloak", P + "retry.max-attempts=x", "token.defaults.jitter=0.1",
				"token.defaults.unauthorized-statuses=401,abc", P + "refresh.expiry-margin=soon", P + "client-id=",
				"token.defaults.refresh.jitter=2").run((context) -> {
					assertThat(context).hasFailed();
					FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
					assertThat(analysis).isNotNull();
					assertThat(analysis.getDescription()).contains(
							P + "type is 'keycloak', not one of oauth2, wso2, nomba",
							P + "retry.max-attempts is 'x', not a whole number",
							"token.defaults.unauthorized-statuses is '401,abc', not a list of whole numbers",
							P + "refresh.expiry-margin is 'soon', not a duration (such as 30s or 5m)",
							"token.defaults.jitter is unknown", P + "client-id is required",
							"token.defaults.refresh.jitter must be at least 0 and less than 1")
						.doesNotContain("s3cr3t-value");
				});
	}

	/**
	 * A secret written under the wrong property (an encryption key under {@code encryption}, which takes true or
	 * false) does not convert either: a value as long as a secret is described by its length, not repeated.
	 */
	@Test
	void aValueAsLongAsASecretIsReportedByItsLength() {
		String key = "k1:q3bV0kS8f2Jx9mWc4Lr7Tz1Ya6Hn5Pd0Ge2Ku8Oi3Q=";
		this.runner.withConfiguration(AutoConfigurations.of(TokenPropertiesAutoConfiguration.class))
			.withPropertyValues("token.store.redis.encryption=" + key)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription())
					.contains("token.store.redis.encryption is a value of 46 characters, not true or false")
					.doesNotContain("q3bV0kS8f2");
				assertThat(context.getStartupFailure()).rootCause().message().doesNotContain("q3bV0kS8f2");
			});
	}

	/**
	 * A map written as one value is often the whole entry, secret included: the report names the property and
	 * what it takes, never the value.
	 */
	@Test
	void aHeaderMapWrittenAsOneValueIsReportedWithoutRepeatingIt() {
		this.runner.withConfiguration(AutoConfigurations.of(TokenPropertiesAutoConfiguration.class))
			.withPropertyValues(P + "headers=X-Api-Key: sk_live_s3cr3t")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains(P + "headers is not a Map")
					.doesNotContain("sk_live_s3cr3t");
				assertThat(context.getStartupFailure()).hasStackTraceContaining(P + "headers")
					.satisfies((failure) -> assertThat(stackTraceOf(failure)).doesNotContain("sk_live_s3cr3t"));
			});
	}

	private static String stackTraceOf(Throwable failure) {
		StringWriter written = new StringWriter();
		failure.printStackTrace(new PrintWriter(written));
		return written.toString();
	}

	/**
	 * {@code ${REVOKE_URI:}} with the variable unset: a blank URL is no URL, not a malformed one.
	 */
	@Test
	void blankEndpointUrlsCountAsNotSet() {
		this.runner.withConfiguration(AutoConfigurations.of(TokenPropertiesAutoConfiguration.class))
			.withPropertyValues(P + "refresh-uri=", P + "revoke-uri= ", P + "base-url=", P + "issuer-uri=")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TokenProperties.Provider provider = context.getBean(TokenProperties.class).getProviders().get("acme");
				assertThat(provider.getRefreshUri()).isNull();
				assertThat(provider.getRevokeUri()).isNull();
				assertThat(provider.getBaseUrl()).isNull();
				assertThat(provider.getIssuerUri()).isNull();
			});
	}

	@Test
	void lifetimesSetApartButConsistentStart() {
		this.runner
			.withPropertyValues("token.defaults.refresh.max-lifetime=2h", P + "refresh.default-lifetime=2h",
					"token.defaults.refresh.default-lifetime=1500ms")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void configurationFailuresFoundAfterBindingAreReportedNamingTheProperty() {
		FailureAnalysis analysis = new TokenConfigurationFailureAnalyzer().analyze(new IllegalStateException(
				new TokenConfigurationException(P + "ssl-bundle", "names SSL bundle 'x', which does not exist")));
		assertThat(analysis.getDescription()).contains(P + "ssl-bundle names SSL bundle 'x', which does not exist");
		assertThat(analysis.getAction()).contains("Correct " + P + "ssl-bundle");
	}

	@Test
	void validSettingsStart() {
		this.runner.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void unknownTypeFailsStartupListingTheAllowedValues(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(P + "type=keycloak"));
		assertThat(output).contains("token.providers.acme.type is 'keycloak', not one of oauth2, wso2, nomba");
	}

	@Test
	void unknownGrantFailsStartupListingTheAllowedValues(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(P + "grant-type=implicit"));
		assertThat(output).contains("token.providers.acme.grant-type is 'implicit', not one of client_credentials, password");
	}

	@Test
	void startupReportListsEveryWrongPropertyAndNoSecret(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(P + "token-uri=", P + "retry.max-attempts=0"));
		assertThat(output).contains("APPLICATION FAILED TO START", P + "token-uri is required",
				P + "retry.max-attempts must be at least 1")
			.doesNotContain("s3cr3t-value");
	}

	private static void start(String... settings) {
		new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "spring.jmx.enabled=false", P + "token-uri=https://a.example/t",
					P + "client-id=id", P + "client-secret=s3cr3t-value")
			.properties(settings)
			.run()
			.close();
	}

	@Configuration(proxyBeanMethods = false)
	@org.springframework.boot.autoconfigure.EnableAutoConfiguration
	static class Empty {

	}

}
