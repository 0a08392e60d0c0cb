package dev.tokenstarter.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The cost of putting the token on a {@code WebClient} call: no filter, a constant header (the floor), Spring
 * Security's exchange filter, the starter's filter on the memory store and on the Redis store. Each client is
 * shared by the benchmark's threads, as an application shares its clients. Run once per thread count through
 * the two subclasses.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// A heap of fixed size, touched at start: case 6's heap holds 100 000 keys, and while it grew, the first write to
// each new page of it cost a page fault, which slowed a fork's calls up to tenfold for seconds at a time.
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class WebClientBenchmarks {

	@Benchmark
	public ResponseEntity<Void> noFilter(NoFilter state) {
		return InstantExchange.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> staticHeader(WithStaticHeader state) {
		return InstantExchange.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> staticHeaderBesideStarter(WithStaticHeaderBesideStarter state) {
		return InstantExchange.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> springSecurity(WithSpringSecurity state) {
		return InstantExchange.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarter(WithTokenStarter state) {
		return InstantExchange.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarterRedis(WithTokenStarterOnRedis state) {
		return InstantExchange.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> staticHeaderWithKeyAttribute(WithStaticHeader state, KeyCursor cursor) {
		return InstantExchange.call(state.client, cursor.next());
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarterKeyed(WithKeyedTokenStarter state, KeyCursor cursor) {
		return InstantExchange.call(state.client, cursor.next());
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarterKeyedOneKey(WithKeyedTokenStarter state, KeyCursor.OneKey key) {
		return InstantExchange.call(state.client, key.next());
	}

	@Threads(1)
	public static class OneThread extends WebClientBenchmarks {

	}

	@Threads(2)
	public static class TwoThreads extends WebClientBenchmarks {

	}

	@State(Scope.Benchmark)
	public static class NoFilter {

		final WebClient client = InstantExchange.client();

	}

	@State(Scope.Benchmark)
	public static class WithStaticHeader {

		WebClient client;

		@Setup
		public void setUp() {
			this.client = checked("Static header", StaticHeader.exchangeFilter());
		}

	}

	/**
	 * The floor again, in a JVM that also runs the starter's application context (unused), as case 4's does: the
	 * context's start-up shapes the JIT's profile of the shared HTTP client code, which a floor measured in a
	 * bare JVM does not pay.
	 */
	@State(Scope.Benchmark)
	public static class WithStaticHeaderBesideStarter {

		StarterEngine engine;

		WebClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterEngine.start();
			this.client = checked("Static header beside the starter", StaticHeader.exchangeFilter());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class WithSpringSecurity {

		WebClient client;

		@Setup
		public void setUp() {
			this.client = checked("Spring Security", SpringStock.exchangeFilter());
		}

	}

	@State(Scope.Benchmark)
	public static class WithTokenStarter {

		StarterEngine engine;

		WebClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterEngine.start();
			this.client = checked("Token Starter", this.engine.filter());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class WithTokenStarterOnRedis {

		StarterOnRedis engine;

		WebClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterOnRedis.start();
			this.client = checked("Token Starter on Redis", this.engine.filter());
			this.engine.requireNoRedisCommands("Token Starter on Redis", () -> InstantExchange.call(this.client));
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class WithKeyedTokenStarter {

		KeyedStarter engine;

		WebClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = KeyedStarter.start();
			int principal = KeyedStarter.KEYS / 2;
			KeyedStarter.requireKeyToken("Token Starter, keyed", principal,
					InstantExchange.authorizationSent(this.engine.engine().filter(), this.engine.key(principal)));
			this.client = InstantExchange.client(this.engine.engine().filter());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	static WebClient checked(String name, ExchangeFilterFunction filter) {
		Fixture.requireToken(name, InstantExchange.authorizationSent(filter));
		return InstantExchange.client(filter);
	}

}
