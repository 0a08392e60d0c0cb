package dev.tokenstarter.config;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenRedisRequirementsAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DPoP is set per provider, resolved into its settings, and refused at start-up, naming the property, where it
 * cannot work.
 */
class DpopSettingsTests {

	private static final String P = "token.providers.acme.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
		.withPropertyValues(P + "token-uri=https://auth.example.com/token", P + "client-id=id",
				P + "client-secret=s3cr3t-value", "token.scheduler.enabled=false");

	@Test
	void enabledProviderGetsAnEcKeyByDefault() {
		this.runner.withPropertyValues(P + "dpop.enabled=true").run((context) -> {
			ProviderSettings settings = context.getBean(TokenSettings.class).provider("acme");
			assertThat(settings.isDpop()).isTrue();
			assertThat(settings.dpop()).isEqualTo(new DpopSettings("token.providers.acme.dpop", DpopKeyType.EC));
		});
	}

	@Test
	void keyTypeIsChosenByProperty() {
		this.runner.withPropertyValues(P + "dpop.enabled=true", P + "dpop.key-type=rsa")
			.run((context) -> assertThat(context.getBean(TokenSettings.class).provider("acme").dpop().keyType())
				.isEqualTo(DpopKeyType.RSA));
	}

	@Test
	void providersAndOtherRegistrationsAreBearerUnlessEnabled() {
		this.runner.run((context) -> {
			TokenSettings settings = context.getBean(TokenSettings.class);
			assertThat(settings.provider("acme").isDpop()).isFalse();
			assertThat(settings.provider("from-spring-security").isDpop()).isFalse();
		});
	}

	@Test
	void settingsWithRequestParametersKeepDpop() {
		this.runner.withPropertyValues(P + "dpop.enabled=true")
			.run((context) -> assertThat(context.getBean(TokenSettings.class)
				.provider("acme")
				.withParameters(Map.of("audience", "payments"))
				.isDpop()).isTrue());
	}

	@Test
	void aStoreSharedByTheFleetIsRefusedWhenItWouldHoldTheKeyPairUnencrypted() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class, TokenRedisRequirementsAutoConfiguration.class,
					TokenEngineAutoConfiguration.class))
			.withPropertyValues("token.store.redis.encryption=false",
					"spring.data.redis.url=redis://127.0.0.1:1", P + "token-uri=https://auth.example.com/token",
					P + "client-id=id", P + "client-secret=s3cr3t-value", P + "dpop.enabled=true",
					"token.scheduler.enabled=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining(P + "dpop.enabled cannot be true with token.store.redis.encryption=false");
			});
	}

	static Stream<Arguments> misconfigurations() {
		return Stream.of(
				Arguments.of(new String[] { P + "type=nomba", P + "account-id=a", P + "nomba-environment=sandbox",
						P + "token-uri=", P + "dpop.enabled=true" },
						P + "dpop.enabled cannot be true for type nomba"),
				Arguments.of(new String[] { P + "dpop.key-type=rsa" },
						P + "dpop.key-type is only used when " + P + "dpop.enabled is true"),
				Arguments.of(new String[] { P + "dpop.enabled=true", P + "dpop.key-type=dsa" }, P + "dpop.key-type"));
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

}
