package dev.tokenstarter.heap;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.management.ObjectName;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Throwaway: 4 callers hammer an API with a token the HTTP client refuses to put in a header, and the heap is
 * sampled. Run with -Dheap.mode=webclient|restclient|restclient-reactor -Dheap.boot=true|false -Dheap.seconds=N.
 */
@EnabledIfSystemProperty(named = "heap.mode", matches = ".+")
class UnsendableTokenHeapReproduction {

	@RegisterExtension
	static final WireMockExtension server = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().disableRequestJournal())
		.build();

	@Test
	void run() throws Exception {
		((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("ROOT").setLevel(Level.INFO);
		if (System.getProperty("heap.token", "cr").equals("cr")) {
			server.stubFor(TokenStubs.tokenRequest().willReturn(TokenStubs.token("abc\\rdef", 300)));
		}
		else {
			server.stubFor(TokenStubs.tokenRequest().willReturn(TokenStubs.error(401, System.getProperty("heap.token"))));
		}
		server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/api")
			.willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok()));
		String mode = System.getProperty("heap.mode");
		boolean boot = Boolean.parseBoolean(System.getProperty("heap.boot", "true"));
		int seconds = Integer.getInteger("heap.seconds", 40);
		List<Class<?>> configs = new ArrayList<>(List.of(TokenEngineAutoConfiguration.class,
				TokenClientsAutoConfiguration.class));
		if (boot) {
			for (String name : List.of(
					"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
					"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
					"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
					"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
					"org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration",
					"org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
					"org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration",
					"org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration",
					"org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration",
					"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
					"org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration",
					"org.springframework.boot.webclient.autoconfigure.WebClientObservationAutoConfiguration",
					"org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
					"org.springframework.boot.restclient.autoconfigure.RestClientObservationAutoConfiguration",
					"org.springframework.boot.reactor.autoconfigure.ReactorAutoConfiguration",
					"org.springframework.boot.http.client.autoconfigure.metrics.HttpClientMetricsAutoConfiguration",
					"dev.tokenstarter.autoconfigure.TokenMetricsAutoConfiguration")) {
				configs.add(Class.forName(name));
			}
		}
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(configs.toArray(Class[]::new)))
			.withBean(Clock.class, Clock::systemUTC)
			.withPropertyValues(TokenStubs.providerProperties(server, "acme"))
			.withPropertyValues(System.getProperty("heap.props", "").split(","))
			.run((context) -> {
				TokenClients clients = context.getBean(TokenClients.class);
				System.out.println("observer: " + context.getBeansOfType(dev.tokenstarter.engine.TokenObserver.class).keySet()
						+ " meters: " + context.getBeansOfType(io.micrometer.core.instrument.MeterRegistry.class).keySet());
				Supplier<Runnable> call = switch (mode) {
					case "webclient" -> {
						WebClient client = clients.webClient("acme");
						yield () -> () -> client.get().uri("/api").retrieve().toBodilessEntity().block();
					}
					case "restclient" -> {
						RestClient client = clients.restClient("acme");
						System.out.println("request factory: " + describe(client));
						yield () -> () -> client.get().uri("/api").retrieve().toBodilessEntity();
					}
					case "restclient-reactor" -> {
						RestClient client = clients.restClient("acme")
							.mutate()
							.requestFactory(new ReactorClientHttpRequestFactory())
							.build();
						yield () -> () -> client.get().uri("/api").retrieve().toBodilessEntity();
					}
					default -> throw new IllegalArgumentException(mode);
				};
				hammer(mode + (boot ? "-boot" : "-plain") + "-" + System.getProperty("heap.token", "cr"), call.get(), seconds);
			});
	}

	private static String describe(RestClient client) {
		try {
			var field = client.getClass().getDeclaredField("clientRequestFactory");
			field.setAccessible(true);
			Object factory = field.get(client);
			if (factory.getClass().getSimpleName().contains("Intercepting")) {
				var inner = org.springframework.http.client.AbstractClientHttpRequestFactoryWrapper.class
					.getDeclaredField("requestFactory");
				inner.setAccessible(true);
				return factory.getClass().getName() + " -> " + inner.get(factory).getClass().getName();
			}
			return factory.getClass().getName();
		}
		catch (ReflectiveOperationException ex) {
			return ex.toString();
		}
	}

	private static void hammer(String label, Runnable call, int seconds) throws Exception {
		AtomicLong calls = new AtomicLong();
		Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
		long deadline = System.nanoTime() + seconds * 1_000_000_000L;
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			Thread thread = new Thread(() -> {
				while (System.nanoTime() < deadline) {
					try {
						call.run();
					}
					catch (Throwable ex) {
						Throwable root = ex;
						while (root.getCause() != null && root.getCause() != root) {
							root = root.getCause();
						}
						String key = ex.getClass().getSimpleName() + " / " + root.getClass().getSimpleName() + ": "
								+ String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
						errors.computeIfAbsent(key.substring(0, Math.min(key.length(), 160)), (k) -> new AtomicLong())
							.incrementAndGet();
						if (INSPECT) {
							inspect(ex);
						}
						if (ex instanceof OutOfMemoryError) {
							return;
						}
					}
					calls.incrementAndGet();
				}
			}, "caller-" + i);
			threads.add(thread);
			thread.start();
		}
		Path out = Path.of("target", "heap-" + label);
		Files.createDirectories(out);
		int sample = 0;
		long start = System.nanoTime();
		while (System.nanoTime() < deadline && threads.stream().anyMatch(Thread::isAlive)) {
			Thread.sleep(Math.min(10_000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
			String histogram = histogram();
			Files.writeString(out.resolve(String.format("histo-%02d.txt", sample)), histogram);
			long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
			System.out.printf("[%s] t=%ds calls=%d heapAfterGc=%dMB errors=%s%n", label,
					(System.nanoTime() - start) / 1_000_000_000L, calls.get(), used / (1024 * 1024), errors);
			sample++;
		}
		for (Thread thread : threads) {
			thread.join();
		}
		try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out.resolve("errors.txt")))) {
			errors.forEach((k, v) -> writer.println(v + "\t" + k));
			writer.println("calls\t" + calls.get());
		}
		if (Boolean.getBoolean("heap.dump")) {
			ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "dumpHeap",
						new Object[] { out.resolve("dump.hprof").toAbsolutePath().toString(), true },
						new String[] { String.class.getName(), boolean.class.getName() });
		}
	}

	private static final Map<Throwable, AtomicLong> SEEN = java.util.Collections
		.synchronizedMap(new java.util.WeakHashMap<>());

	private static final AtomicLong SAMPLE = new AtomicLong();

	private static final boolean INSPECT = Boolean.getBoolean("heap.inspect");

	/** Counts how often one exception instance comes back (shared instances) and shows one chain in full. */
	private static void inspect(Throwable ex) {
		java.util.Set<Throwable> chain = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
		java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(List.of(ex));
		while (!todo.isEmpty()) {
			Throwable t = todo.pop();
			if (chain.add(t)) {
				if (t.getCause() != null) {
					todo.push(t.getCause());
				}
				for (Throwable s : t.getSuppressed()) {
					todo.push(s);
				}
			}
		}
		for (Throwable t : chain) {
			long seen = SEEN.computeIfAbsent(t, (k) -> new AtomicLong()).incrementAndGet();
			if (seen == 2 || seen == 1000) {
				System.out.println("SHARED exception instance seen " + seen + " times: " + t.getClass().getName()
						+ " suppressed=" + t.getSuppressed().length);
			}
		}
		long n = SAMPLE.incrementAndGet();
		if (n == 100 || n == 50_000) {
			java.io.StringWriter w = new java.io.StringWriter();
			ex.printStackTrace(new PrintWriter(w));
			System.out.println("SAMPLE " + n + ":\n" + w.toString().lines()
				.filter((l) -> !l.trim().startsWith("at ") || l.contains("Suppressed"))
				.collect(java.util.stream.Collectors.joining("\n")));
		}
	}

	private static String histogram() throws Exception {
		return (String) ManagementFactory.getPlatformMBeanServer()
			.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
					new Object[] { new String[0] }, new String[] { String[].class.getName() });
	}

}
