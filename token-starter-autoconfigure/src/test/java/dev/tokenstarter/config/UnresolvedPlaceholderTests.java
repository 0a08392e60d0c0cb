package dev.tokenstarter.config;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenPropertiesAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code ${…}} placeholder nothing resolves fails start-up naming the property and the placeholder, instead of
 * being sent to the provider as the secret.
 */
class UnresolvedPlaceholderTests {

	private static final String P = "token.providers.acme.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(TokenPropertiesAutoConfiguration.class, TokenEngineAutoConfiguration.class))
		.withPropertyValues(P + "token-uri=https://auth.example.com/token", P + "client-id=id");

	@Test
	void springBootBindsAnUnresolvablePlaceholderAsItsLiteralText() {
		// The reason for the check: left to itself, binding keeps the placeholder and the application starts.
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of(P + "client-secret", "${ORDERS_SECRET_UNSET}")));
		TokenProperties properties = Binder.get(environment).bind("token", TokenProperties.class).get();
		assertThat(properties.getProviders().get("acme").getClientSecret()).isEqualTo("${ORDERS_SECRET_UNSET}");
	}

	@Test
	void unresolvedSecretFailsStartupNamingThePropertyAndThePlaceholder() {
		this.runner.withPropertyValues(P + "client-secret=${ORDERS_SECRET_UNSET}")
			.run((context) -> assertThat(report(context)).contains(
					P + "client-secret refers to ${ORDERS_SECRET_UNSET}, which no property or environment variable defines"));
	}

	@Test
	void partlyResolvedValueNamesOnlyTheMissingPlaceholders() {
		this.runner
			.withPropertyValues("vault.prefix=pr3fix-s3cr3t", P + "client-secret=${vault.prefix}-${SUFFIX_UNSET}",
					P + "headers.X-Key=${HEADER_KEY_UNSET}")
			.run((context) -> assertThat(report(context)).contains(P + "client-secret refers to ${SUFFIX_UNSET}")
				.contains(P + "headers.X-Key refers to ${HEADER_KEY_UNSET}")
				.doesNotContain("pr3fix-s3cr3t")
				.doesNotContain("${vault.prefix}"));
	}

	@Test
	void everyMissingPlaceholderOfAValueIsNamed() {
		this.runner.withPropertyValues(P + "client-secret=${FIRST_UNSET}:${SECOND_UNSET}")
			.run((context) -> assertThat(report(context)).contains(P + "client-secret refers to ${FIRST_UNSET}")
				.contains(P + "client-secret refers to ${SECOND_UNSET}"));
	}

	@Test
	void placeholdersThatResolveStart() {
		this.runner
			.withPropertyValues("orders.secret=s", P + "client-secret=${orders.secret}",
					P + "audience=${AUDIENCE_UNSET:https://api.example.com}", P + "headers.X-Literal=\\${not-a-placeholder}")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TokenProperties.Provider acme = context.getBean(TokenProperties.class).getProviders().get("acme");
				assertThat(acme.getClientSecret()).isEqualTo("s");
				assertThat(acme.getAudience()).isEqualTo("https://api.example.com");
				assertThat(acme.getHeaders()).containsEntry("X-Literal", "${not-a-placeholder}");
			});
	}

	@Test
	void placeholderOverriddenByAnotherSourceIsNotReported() {
		this.runner.withPropertyValues(P + "client-secret=from-the-command-line")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addLast(new MapPropertySource("application.yml",
						Map.of(P + "client-secret", "${ORDERS_SECRET_UNSET}"))))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void placeholdersInDefaultsAndStoreAreCheckedToo() {
		this.runner.withPropertyValues(P + "client-secret=s", "token.defaults.audience=${AUDIENCE_UNSET}",
				"token.store.redis.encryption-keys=${TOKEN_STORE_KEYS_UNSET}")
			.run((context) -> assertThat(report(context)).contains("token.defaults.audience refers to ${AUDIENCE_UNSET}")
				.contains("token.store.redis.encryption-keys refers to ${TOKEN_STORE_KEYS_UNSET}"));
	}

	private static String report(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		return analysis.getDescription();
	}

}
