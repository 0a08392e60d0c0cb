package dev.tokenstarter.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenPropertiesAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A misspelt {@code token.*} key fails start-up naming the key and the closest valid one, instead of being
 * ignored until the provider answers 403.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownTokenPropertiesTests {

	private static final String P = "token.providers.acme.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(TokenPropertiesAutoConfiguration.class, TokenEngineAutoConfiguration.class))
		.withPropertyValues(P + "token-uri=https://auth.example.com/token", P + "client-id=id",
				P + "client-secret=s3cr3t-value");

	@Test
	void misspeltProviderKeyFailsStartupSuggestingTheValidOne() {
		this.runner.withPropertyValues(P + "scope=read").run((context) -> assertThat(report(context))
			.contains(P + "scope is unknown; did you mean " + P + "scopes?"));
	}

	@Test
	void misspeltSecretIsReportedWithTheValidationErrorItCauses() {
		this.runner.withPropertyValues(P + "client-secret=", P + "client-secert=typed-secret")
			.run((context) -> assertThat(report(context))
				.contains(P + "client-secert is unknown; did you mean " + P + "client-secret?")
				.contains(P + "client-secret is required")
				.doesNotContain("typed-secret"));
	}

	@Test
	void misspeltNestedProviderKeyFailsStartup() {
		this.runner.withPropertyValues(P + "retry.max-atempts=3")
			.run((context) -> assertThat(report(context))
				.contains(P + "retry.max-atempts is unknown; did you mean " + P + "retry.max-attempts?"));
	}

	@Test
	void misspeltDefaultsKeyFailsStartup() {
		this.runner.withPropertyValues("token.defaults.refresh.idle-timout=10m")
			.run((context) -> assertThat(report(context)).contains(
					"token.defaults.refresh.idle-timout is unknown; did you mean token.defaults.refresh.idle-timeout?"));
	}

	@Test
	void settingsOfOneProviderOnlyAreUnknownUnderDefaults() {
		this.runner
			.withPropertyValues("token.defaults.client-id=shared", "token.defaults.client-secret=shared",
					"token.defaults.token-uri=https://auth.example.com/token", "token.defaults.base-url=https://x.example",
					"token.defaults.username=u", "token.defaults.account-id=a", "token.defaults.grant-type=password",
					"token.defaults.ssl-bundle=b", "token.defaults.type=wso2")
			.run((context) -> assertThat(report(context)).contains("token.defaults.client-id is unknown",
					"token.defaults.client-secret is unknown", "token.defaults.token-uri is unknown",
					"token.defaults.base-url is unknown", "token.defaults.username is unknown",
					"token.defaults.account-id is unknown", "token.defaults.grant-type is unknown",
					"token.defaults.ssl-bundle is unknown", "token.defaults.type is unknown")
				.doesNotContain("=shared"));
	}

	@Test
	void misspeltRedisStoreKeyFailsStartup() {
		this.runner.withPropertyValues("token.store.redis.lock-wiat=5s")
			.run((context) -> assertThat(report(context))
				.contains("token.store.redis.lock-wiat is unknown; did you mean token.store.redis.lock-wait?"));
	}

	@Test
	void misspeltSchedulerKeyFailsStartup() {
		this.runner.withPropertyValues("token.scheduler.enable=false")
			.run((context) -> assertThat(report(context))
				.contains("token.scheduler.enable is unknown; did you mean token.scheduler.enabled?"));
	}

	@Test
	void misspeltSectionNameFailsStartup() {
		this.runner.withPropertyValues("token.provider.orders.client-id=id")
			.run((context) -> assertThat(report(context))
				.contains("token.provider.orders.client-id is unknown; did you mean token.providers?"));
	}

	@Test
	void keyFarFromAnyValidOneListsTheValidKeys() {
		this.runner.withPropertyValues(P + "colour=blue")
			.run((context) -> assertThat(report(context)).contains(P + "colour is unknown; valid keys here are")
				.contains("client-secret", "scopes", "retry"));
	}

	@Test
	void everyUnknownKeyIsListedAtOnce() {
		this.runner.withPropertyValues(P + "scope=read", "token.defaults.retry.max-attempt=2")
			.run((context) -> assertThat(report(context)).contains(P + "scope is unknown",
					"token.defaults.retry.max-attempt is unknown"));
	}

	@Test
	void relaxedSpellingsOfValidKeysAreAccepted() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenPropertiesAutoConfiguration.class, TokenEngineAutoConfiguration.class))
			.withPropertyValues(P + "tokenUri=https://auth.example.com/token", P + "client_id=id",
					P + "CLIENT-SECRET=s", P + "unauthorizedStatuses[0]=401", "token.store.redis.lockWait=5s",
					"token.providers[other.one].token-uri=https://auth.example.com/token",
					"token.providers[other.one].client-id=id", "token.providers[other.one].client-secret=s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void environmentVariablesAreBoundAndNeverRejected() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(TokenPropertiesAutoConfiguration.class, TokenEngineAutoConfiguration.class))
			.withPropertyValues(P + "token-uri=https://auth.example.com/token", P + "client-id=id")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
								// The second and third are what Kubernetes injects for a service named
								// token-store: environment variables are everybody's, so they are not checked.
								Map.of("TOKEN_PROVIDERS_ACME_CLIENT_SECRET", "from-env", "TOKEN_STORE_SERVICE_HOST",
										"10.0.0.7", "TOKEN_STORE_PORT", "tcp://10.0.0.7:6379"))))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TokenProperties.class).getProviders().get("acme").getClientSecret())
					.isEqualTo("from-env");
			});
	}

	@Test
	void keysOfFreeFormMapsAreNotTypos() {
		this.runner
			.withPropertyValues(P + "headers.X-Tenant=t1", P + "parameters.resource=https://api.example.com",
					P + "parameters.some.dotted.name=v", "token.defaults.headers.X-Request-Source=billing",
					"token.defaults.parameters.audience-hint=x", P + "scopes[0]=read",
					"token.store.redis.encryption-keys[0]=k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	/**
	 * A single value directly under {@code token} is no group of the starter's, however close its name is to one
	 * ({@code token.key} to {@code token.keys}): the starter's groups hold settings, so only a name with settings
	 * below it is taken for a misspelt group.
	 */
	@Test
	void keysOfOtherLibrariesUnderTheTokenPrefixAreLeftAlone() {
		this.runner.withPropertyValues("token.signing-key=abc", "token.expiry=5m", "token.key=abc", "token.login=x",
				"token.default=y", "token.provider=z")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void startupReportNamesTheKeyAndWhereItWasWritten(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "spring.jmx.enabled=false",
					"spring.config.location=classpath:dev/tokenstarter/config/misspelt-provider.yml")
			.run()
			.close());
		assertThat(output).contains("APPLICATION FAILED TO START",
				"token.providers.orders.scope is unknown; did you mean token.providers.orders.scopes?",
				"misspelt-provider.yml")
			.doesNotContain("orders-s3cr3t");
	}

	private static String report(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).doesNotContain("s3cr3t-value");
		return analysis.getDescription();
	}

	@Configuration(proxyBeanMethods = false)
	@org.springframework.boot.autoconfigure.EnableAutoConfiguration
	static class Empty {

	}

}
