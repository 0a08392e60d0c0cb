package dev.tokenstarter.observe;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code docs/} name only series the starter exports, with
 * labels those series have, and chart every meter: a renamed meter or tag fails here instead of leaving an empty
 * panel or an alert that never fires. The series come from a Prometheus scrape of a run in which every meter of the
 * starter was registered.
 */
class MonitoringFilesTests {

	private static final Path DOCS = Path.of("..", "docs");

	/** A series name in a PromQL expression, and the label matchers that follow it. */
	private static final Pattern SERIES = Pattern.compile("\\b(token_[a-z0-9_]+)(\\{([^}]*)})?");

	private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? .*$");

	private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	/** The labels of every series of the scrape, by series name. */
	private static final Map<String, Set<String>> exported = new HashMap<>();

	@BeforeAll
	static void registerEveryMeter() {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		MutableClock clock = MutableClock.startingNow();
		TokenStubs.inSequence(server, TokenStubs::tokenRequest, token("T1", 300), token("T2", 300),
				error(400, "invalid_scope"));
		server.stubFor(apiWith("T1").willReturn(aResponse().withStatus(401)));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		EngineTestSupport.runner(server, clock, "acme")
			.withConfiguration(AutoConfigurations.of(TokenMetricsAutoConfiguration.class))
			.withPropertyValues("token.providers.acme.retry.max-attempts=1")
			.withBean(MeterRegistry.class, () -> registry)
			.withBean(ObservationRegistry.class, () -> {
				ObservationRegistry observations = ObservationRegistry.create();
				observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
				return observations;
			})
			.run((context) -> {
				context.getBean(TokenKeyMetrics.class).bindTo(registry);
				WebClient api = context.getBean(TokenClients.class).webClient("acme");
				assertThat(api.get().uri(API_PATH).retrieve().bodyToMono(String.class).block()).isEqualTo("hello");
				TokenManager tokens = context.getBean(TokenManager.class);
				clock.advance(Duration.ofSeconds(400));
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> tokens.token("acme").block());
				MicrometerTokenObserver observer = context.getBean(MicrometerTokenObserver.class);
				// The fleet lock and the store report only in Redis mode; their meters are the observer's and
				// the store metrics' own, fed here as the lock and the store feed them.
				observer.lockWaited("acme:app", "acquired", 1_000_000);
				observer.freshTokenRejected("acme", clock.instant());
				RedisAvailability availability = new RedisAvailability(Duration.ofSeconds(1), Duration.ZERO);
				new TokenStoreMetrics(availability).bindTo(registry);
				availability.failed("load", new IllegalStateException("Redis does not answer"));
			});
		for (String line : registry.scrape().split("\n")) {
			Matcher sample = SAMPLE.matcher(line);
			if (!line.startsWith("#") && sample.matches()) {
				Set<String> labels = exported.computeIfAbsent(sample.group(1), (name) -> new HashSet<>());
				if (sample.group(3) != null) {
					Matcher label = SAMPLE_LABEL.matcher(sample.group(3));
					while (label.find()) {
						labels.add(label.group(1));
					}
				}
			}
		}
	}

	@Test
	void theDashboardNamesOnlyExportedSeriesAndLabels() throws IOException {
		List<String> expressions = new ArrayList<>();
		JsonNode dashboard = JsonMapper.builder().build().readTree(DOCS.resolve("grafana/token-starter.json").toFile());
		collect(dashboard, "expr", expressions);
		collect(dashboard, "query", expressions);
		assertThat(expressions).hasSizeGreaterThan(10);
		assertOnlyExportedSeries(expressions);
	}

	@Test
	void theAlertRulesNameOnlyExportedSeriesAndLabels() throws IOException {
		List<String> expressions = new ArrayList<>();
		try (Reader reader = Files.newBufferedReader(DOCS.resolve("prometheus/alerts.yml"))) {
			Map<String, List<Map<String, Object>>> rules = new Yaml().load(reader);
			rules.get("groups")
				.forEach((group) -> ((List<?>) group.get("rules"))
					.forEach((rule) -> expressions.add(String.valueOf(((Map<?, ?>) rule).get("expr")))));
		}
		assertThat(expressions).hasSizeGreaterThanOrEqualTo(6);
		assertOnlyExportedSeries(expressions);
	}

	@Test
	void theDashboardChartsEveryMeterOfTheStarter() throws IOException {
		String dashboard = Files.readString(DOCS.resolve("grafana/token-starter.json"));
		Set<String> meters = new HashSet<>();
		for (String series : exported.keySet()) {
			if (series.startsWith("token_")) {
				meters.add(series.replaceAll("_(count|sum|max|total|active_count|active_seconds.*)$", ""));
			}
		}
		assertThat(meters).contains("token_requests_seconds", "token_lookups", "token_wait_seconds",
				"token_lock_wait_seconds", "token_expiry_seconds", "token_unauthorized_retries",
				"token_unauthorized_unrenewed", "token_renewals_failed", "token_store_errors", "token_store_degraded",
				"token_keys_held");
		meters.removeIf((meter) -> meter.startsWith("token_requests_active"));
		assertThat(meters).allSatisfy((meter) -> assertThat(dashboard).contains(meter));
	}

	private static void assertOnlyExportedSeries(List<String> expressions) {
		for (String expression : expressions) {
			Matcher series = SERIES.matcher(expression);
			while (series.find()) {
				String name = series.group(1);
				assertThat(exported).as("series named in %s", expression).containsKey(name);
				if (series.group(3) != null) {
					Matcher label = MATCHER_LABEL.matcher(series.group(3));
					while (label.find()) {
						assertThat(exported.get(name)).as("labels of %s in %s", name, expression)
							.contains(label.group(1));
					}
				}
			}
		}
	}

	private static void collect(JsonNode node, String field, List<String> into) {
		if (node.isObject()) {
			node.properties().forEach((entry) -> {
				if (entry.getKey().equals(field) && entry.getValue().isString()
						&& entry.getValue().asString().contains("token_")) {
					into.add(entry.getValue().asString());
				}
				collect(entry.getValue(), field, into);
			});
		}
		else if (node.isArray()) {
			node.forEach((element) -> collect(element, field, into));
		}
	}

}
