package dev.tokenstarter.config;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenPropertiesAutoConfiguration;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.Fuzz;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.json;
import static dev.tokenstarter.test.TokenStubs.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random {@code token.*} property sets ({@link TokenConfigurations}) started with the auto-configuration. A set the
 * model finds valid starts, and then every provider works: a token request of each gets a token from the stub. Any
 * other set fails to start, and the start-up report (the first failure analyzer that takes the failure, as Spring
 * Boot prints it) names each wrong property, and no secret. Each try starts a context, so few tries run by
 * default.
 */
class TokenConfigurationFuzzTests {

	private static final int TRIES = 300;

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenPropertiesAutoConfiguration.class,
				TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
		.withPropertyValues("token.scheduler.enabled=false");

	@BeforeEach
	void stubProvider() {
		provider.stubFor(any(anyUrl()).willReturn(token("T", 3600)));
		provider.stubFor(post(urlPathEqualTo(NombaDialect.ISSUE_PATH))
			.willReturn(json("{\"code\":\"00\",\"description\":\"Success\",\"data\":{\"access_token\":\"N\","
					+ "\"expiresAt\":\"" + Instant.now().plusSeconds(1800) + "\"}}")));
	}

	@Test
	void aConfigurationStartsWithProvidersThatWorkOrFailsNamingEachWrongProperty() {
		AtomicInteger started = new AtomicInteger();
		Fuzz.theory(TRIES, 30).forAll(TokenConfigurations.cases(provider.baseUrl())).checkAssert((configuration) -> {
			this.runner.withPropertyValues(configuration.properties().toArray(String[]::new)).run((context) -> {
				if (context.getStartupFailure() == null) {
					assertThat(configuration.valid()).as("started, though wrong: %s", configuration).isTrue();
					started.incrementAndGet();
					TokenManager manager = context.getBean(TokenManager.class);
					for (String name : configuration.providers()) {
						assertThat(manager.token(name).block(Duration.ofSeconds(30)).accessToken().getTokenValue())
							.as("a token of provider %s", name)
							.isIn("T", "N");
					}
					return;
				}
				Throwable failure = context.getStartupFailure();
				String report = report(failure);
				assertThat(report).as("a start-up report of %s", failure).isNotNull();
				assertThat(configuration.valid()).as("failed, though valid: %s", report).isFalse();
				assertThat(report).doesNotContain(TokenConfigurations.SECRET_MARK);
				for (String property : configuration.wrongWhenBound().isEmpty() ? configuration.wrongWhenBuilt()
						: configuration.wrongWhenBound()) {
					assertThat(report).as("the report names %s", property).contains(property);
				}
			});
		});
		int tries = Integer.getInteger(Fuzz.TRIES, TRIES);
		assertThat(started.get()).as("configurations that started").isBetween(tries / 20, tries - tries / 20);
	}

	/**
	 * The description and action Spring Boot prints for a start-up failure: those of the first failure analyzer,
	 * in order, that takes it. Null when none does, and Boot prints the bare stack trace.
	 */
	static @Nullable String report(Throwable failure) {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(TokenConfigurationFuzzTests.class.getClassLoader())
			.load(FailureAnalyzer.class, ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
				.and(Environment.class, new StandardEnvironment()));
		AnnotationAwareOrderComparator.sort(analyzers);
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis.getDescription() + "\n" + analysis.getAction();
			}
		}
		return null;
	}

}
