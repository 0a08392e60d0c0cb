package dev.tokenstarter.config;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token exchange and JWT bearer settings that could not work fail start-up naming the property.
 */
class DelegatedGrantValidationTests {

	private static final String P = "token.providers.downstream.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class))
		.withPropertyValues(P + "token-uri=https://auth.example.com/token", P + "client-id=id",
				P + "client-secret=s3cr3t-value");

	static Stream<Arguments> invalidSettings() {
		return Stream.of(
				Arguments.of(new String[] { P + "requested-token-type=urn:ietf:params:oauth:token-type:jwt" },
						P + "requested-token-type is only used by grant-type token-exchange, not client-credentials"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "requested-token-type=jwt" },
						P + "requested-token-type must be a token type URI"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "sessions=single" },
						P + "sessions must be multiple for grant-type token-exchange"),
				Arguments.of(new String[] { P + "type=wso2", P + "grant-type=jwt-bearer" },
						P + "sessions must be multiple for grant-type jwt-bearer"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "acquire-on-startup=true" },
						P + "acquire-on-startup cannot be true for grant-type token-exchange"),
				Arguments.of(new String[] { P + "grant-type=jwt-bearer", P + "token-request-format=json" },
						P + "token-request-format must be form for grant-type jwt-bearer"),
				Arguments.of(
						new String[] { P + "grant-type=token-exchange", P + "client-authentication=tls_client_auth",
								P + "ssl-bundle=b" },
						P + "client-authentication cannot be tls_client_auth for grant-type token-exchange"),
				Arguments.of(
						new String[] { P + "grant-type=jwt-bearer",
								P + "client-authentication=self_signed_tls_client_auth", P + "ssl-bundle=b" },
						P + "client-authentication cannot be self_signed_tls_client_auth for grant-type jwt-bearer"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "username=u", P + "password=p" },
						P + "username and password are only used by grant-type password"),
				Arguments.of(new String[] { P + "type=nomba", P + "account-id=a", P + "nomba-environment=sandbox",
						P + "grant-type=token-exchange" }, P + "grant-type must be client_credentials for type nomba"),
				Arguments.of(new String[] { P + "grant-type=jwt-bearer", P + "actor.provider=gateway" },
						P + "actor.provider is only used by grant-type token-exchange, not jwt-bearer"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "actor.provider=nobody" },
						P + "actor.provider must name a provider of token.providers whose application token acts "
								+ "for the subject; there is none named 'nobody'"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "actor.provider=downstream" },
						P + "actor.provider cannot name the provider itself"),
				Arguments.of(new String[] { P + "grant-type=token-exchange", P + "actor.provider=other",
						"token.providers.other.token-uri=https://auth.example.com/token",
						"token.providers.other.client-id=other", "token.providers.other.client-secret=s",
						"token.providers.other.grant-type=token-exchange" },
						P + "actor.provider must name a provider with an application token of its own, not one of "
								+ "grant-type token-exchange"));
	}

	@ParameterizedTest(name = "{1}")
	@MethodSource("invalidSettings")
	void invalidSettingFailsStartupNamingTheProperty(String[] settings, String expected) {
		this.runner.withPropertyValues(settings).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains(expected).doesNotContain("s3cr3t-value");
		});
	}

	@Test
	void aTokenExchangeProviderWithAnActorStartsAndKnowsItsActor() {
		this.runner
			.withPropertyValues(P + "grant-type=token-exchange", P + "actor.provider=gateway",
					"token.providers.gateway.token-uri=https://auth.example.com/token",
					"token.providers.gateway.client-id=id", "token.providers.gateway.client-secret=s3cr3t-value")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TokenSettings settings = context.getBean(TokenSettings.class);
				assertThat(settings.actor("downstream")).isEqualTo("gateway");
				assertThat(settings.actor("gateway")).isNull();
			});
	}

	@Test
	void aTokenExchangeProviderStartsAndAsksForTheConfiguredTokenType() {
		this.runner
			.withPropertyValues(P + "grant-type=token-exchange", P + "audience=orders-api",
					P + "requested-token-type=urn:ietf:params:oauth:token-type:jwt",
					"token.defaults.acquire-on-startup=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ProviderSettings provider = context.getBean(TokenSettings.class).provider("downstream");
				assertThat(provider.parameters()).containsEntry("audience", "orders-api")
					.containsEntry("requested_token_type", "urn:ietf:params:oauth:token-type:jwt");
				// Start-up has no user's token to exchange: the inherited default does not apply.
				assertThat(provider.acquireOnStartup()).isFalse();
			});
	}

}
