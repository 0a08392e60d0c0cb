package dev.tokenstarter.config;

import java.util.Map;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenPropertiesAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every provider setting that is not the provider's identity can be given once under {@code token.defaults};
 * a provider's own value wins, and maps are merged key by key.
 */
class TokenDefaultsTests {

	private static final String A = "token.providers.acme.";

	private static final String B = "token.providers.billing.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(TokenPropertiesAutoConfiguration.class, TokenEngineAutoConfiguration.class))
		.withPropertyValues(A + "token-uri=https://acme.example.com/token", A + "client-id=acme",
				A + "client-secret=acme-secret", B + "token-uri=https://billing.example.com/token",
				B + "client-id=billing", B + "client-secret=billing-secret");

	@Test
	void scopesAreInheritedAndReplacedWholeByAProvidersOwn() {
		this.runner.withPropertyValues("token.defaults.scopes=read,write", B + "scopes=billing.read")
			.run((context) -> {
				assertThat(registration(context, "acme").getScopes()).containsExactlyInAnyOrder("read", "write");
				assertThat(registration(context, "billing").getScopes()).containsExactly("billing.read");
			});
	}

	@Test
	void clientAuthenticationIsInheritedAndOverridden() {
		this.runner
			.withPropertyValues("token.defaults.client-authentication=client_secret_post",
					B + "client-authentication=client_secret_basic")
			.run((context) -> {
				assertThat(registration(context, "acme").getClientAuthenticationMethod())
					.isEqualTo(ClientAuthenticationMethod.CLIENT_SECRET_POST);
				assertThat(registration(context, "billing").getClientAuthenticationMethod())
					.isEqualTo(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
			});
	}

	@Test
	void mutualTlsFromDefaultsNeedsEachProvidersBundleAndNoSecret() {
		this.runner.withPropertyValues("token.defaults.client-authentication=tls_client_auth", A + "client-secret=")
			.run((context) -> assertThat(report(context))
				.contains(A + "ssl-bundle is required for client-authentication tls_client_auth")
				.contains("token.defaults.client-authentication")
				.doesNotContain(A + "client-secret is required"));
	}

	@Test
	void startUpAndShutdownSettingsAreInheritedAndOverridden() {
		this.runner
			.withPropertyValues("token.defaults.revoke-on-shutdown=true", "token.defaults.acquire-on-startup=false",
					"token.defaults.fail-on-startup-error=true", B + "revoke-on-shutdown=false",
					B + "fail-on-startup-error=false")
			.run(settings((acme, billing) -> {
				assertThat(acme.revokeOnShutdown()).isTrue();
				assertThat(acme.failOnStartupError()).isTrue();
				assertThat(acme.acquireOnStartup()).isFalse();
				assertThat(billing.revokeOnShutdown()).isFalse();
				assertThat(billing.failOnStartupError()).isFalse();
			}));
	}

	@Test
	void tokenRequestFormatIsInheritedAndOverridden() {
		this.runner.withPropertyValues("token.defaults.token-request-format=json", B + "token-request-format=form")
			.run(settings((acme, billing) -> {
				assertThat(acme.tokenRequestFormat()).isEqualTo(TokenRequestFormat.JSON);
				assertThat(billing.tokenRequestFormat()).isEqualTo(TokenRequestFormat.FORM);
			}));
	}

	@Test
	void headersAreMergedKeyByKeyWithTheProviderWinning() {
		this.runner
			.withPropertyValues("token.defaults.headers.X-Source=gateway", "token.defaults.headers.X-Tenant=shared",
					B + "headers.X-Tenant=billing")
			.run(settings((acme, billing) -> {
				assertThat(acme.headers()).containsOnly(entry("X-Source", "gateway"), entry("X-Tenant", "shared"));
				assertThat(billing.headers()).containsOnly(entry("X-Source", "gateway"), entry("X-Tenant", "billing"));
			}));
	}

	@Test
	void parametersAreMergedKeyByKeyWithTheProviderWinning() {
		this.runner
			.withPropertyValues("token.defaults.parameters.resource=https://api.example.com",
					"token.defaults.parameters.tenant=shared", B + "parameters.tenant=billing")
			.run(settings((acme, billing) -> {
				assertThat(acme.parameters()).containsOnly(entry("resource", "https://api.example.com"),
						entry("tenant", "shared"));
				assertThat(billing.parameters()).containsOnly(entry("resource", "https://api.example.com"),
						entry("tenant", "billing"));
			}));
	}

	@Test
	void audienceIsInheritedAndAnythingAProviderSaysAboutItWins() {
		this.runner
			.withPropertyValues("token.defaults.audience=https://api.example.com",
					B + "parameters.audience=https://billing.example.com")
			.run(settings((acme, billing) -> {
				assertThat(acme.parameters()).containsOnly(entry("audience", "https://api.example.com"));
				assertThat(billing.parameters()).containsOnly(entry("audience", "https://billing.example.com"));
			}));
	}

	@Test
	void sessionsAreInheritedAndOverridden() {
		this.runner.withPropertyValues("token.defaults.sessions=single", B + "sessions=multiple")
			.run(settings((acme, billing) -> {
				assertThat(acme.singleSession()).isTrue();
				assertThat(billing.singleSession()).isFalse();
			}));
	}

	@Test
	void singleSessionFromDefaultsForbidsTwoEntriesOfOneClient() {
		this.runner
			.withPropertyValues("token.defaults.sessions=single", B + "token-uri=https://acme.example.com/token",
					B + "client-id=acme")
			.run((context) -> assertThat(report(context)).contains(B + "client-id is also the client of "
					+ "token.providers.acme at the same token endpoint"));
	}

	@Test
	void unauthorizedStatusesAreInheritedAndOverridden() {
		this.runner.withPropertyValues("token.defaults.unauthorized-statuses=401,403", B + "unauthorized-statuses=401")
			.run(settings((acme, billing) -> {
				assertThat(acme.unauthorizedStatuses()).containsExactlyInAnyOrder(401, 403);
				assertThat(billing.unauthorizedStatuses()).containsExactly(401);
			}));
	}

	@Test
	void refreshAndRetryAreInheritedFieldByField() {
		this.runner
			.withPropertyValues("token.defaults.refresh.idle-timeout=10m", "token.defaults.retry.max-attempts=2",
					B + "retry.max-attempts=6")
			.run(settings((acme, billing) -> {
				assertThat(acme.refresh().idleTimeout()).hasMinutes(10);
				assertThat(billing.refresh().idleTimeout()).hasMinutes(10);
				assertThat(acme.retry().maxAttempts()).isEqualTo(2);
				assertThat(billing.retry().maxAttempts()).isEqualTo(6);
			}));
	}

	@Test
	void withoutDefaultsTheBuiltInValuesApply() {
		this.runner.withPropertyValues(B + "type=wso2", B + "username=u", B + "password=p").run((context) -> {
			ClientRegistration acme = registration(context, "acme");
			assertThat(acme.getScopes()).isEmpty();
			assertThat(acme.getClientAuthenticationMethod()).isEqualTo(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
			TokenSettings settings = context.getBean(TokenSettings.class);
			assertThat(settings.provider("acme").tokenRequestFormat()).isEqualTo(TokenRequestFormat.FORM);
			assertThat(settings.provider("acme").singleSession()).isFalse();
			assertThat(settings.provider("billing").singleSession()).isTrue();
			assertThat(settings.provider("acme").unauthorizedStatuses()).containsExactly(401);
		});
	}

	@Test
	void registrationsFromElsewhereGetTheDefaults() {
		this.runner.withPropertyValues("token.defaults.headers.X-Source=gateway", "token.defaults.sessions=single")
			.run((context) -> {
				ProviderSettings elsewhere = context.getBean(TokenSettings.class).provider("from-spring-security");
				assertThat(elsewhere.headers()).containsOnly(entry("X-Source", "gateway"));
				assertThat(elsewhere.singleSession()).isTrue();
			});
	}

	@Test
	void blankScopeInDefaultsFailsStartupNamingTheDefaults() {
		this.runner.withPropertyValues("token.defaults.scopes[0]=read", "token.defaults.scopes[1]=a b")
			.run((context) -> assertThat(report(context))
				.contains("token.defaults.scopes must hold RFC 6749 scope tokens"));
	}

	private static ClientRegistration registration(AssertableApplicationContext context, String name) {
		assertThat(context).hasNotFailed();
		return context.getBean(TokenClientRegistrationRepository.class).findByRegistrationId(name).block();
	}

	private static ContextConsumer<AssertableApplicationContext> settings(
			BiConsumer<ProviderSettings, ProviderSettings> assertions) {
		return (context) -> {
			assertThat(context).hasNotFailed();
			TokenSettings settings = context.getBean(TokenSettings.class);
			assertions.accept(settings.provider("acme"), settings.provider("billing"));
		};
	}

	private static Map.Entry<String, String> entry(String key, String value) {
		return Map.entry(key, value);
	}

	private static String report(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new TokenPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		return analysis.getDescription();
	}

}
