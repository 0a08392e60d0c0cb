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
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;

/**
 * The cost of putting the token on a {@code RestClient} call: no interceptor, a constant header (the floor),
 * Spring Security's request interceptor, the starter's interceptor on the memory store and on the Redis store.
 * Each client is shared by the benchmark's threads, as an application shares its clients. Run once per thread
 * count through the two subclasses.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// A heap of fixed size, touched at start: case 6's heap holds 100 000 keys, and while it grew, the first write to
// each new page of it cost a page fault, which slowed a fork's calls up to tenfold for seconds at a time.
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class RestClientBenchmarks {

	@Benchmark
	public ResponseEntity<Void> noInterceptor(NoInterceptor state) {
		return InstantRequestFactory.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> staticHeader(WithStaticHeader state) {
		return InstantRequestFactory.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> staticHeaderBesideStarter(WithStaticHeaderBesideStarter state) {
		return InstantRequestFactory.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> springSecurity(WithSpringSecurity state) {
		return InstantRequestFactory.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarter(WithTokenStarter state) {
		return InstantRequestFactory.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarterRedis(WithTokenStarterOnRedis state) {
		return InstantRequestFactory.call(state.client);
	}

	@Benchmark
	public ResponseEntity<Void> staticHeaderWithKeyAttribute(WithStaticHeader state, KeyCursor cursor) {
		return InstantRequestFactory.call(state.client, cursor.next());
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarterKeyed(WithKeyedTokenStarter state, KeyCursor cursor) {
		return InstantRequestFactory.call(state.client, cursor.next());
	}

	@Benchmark
	public ResponseEntity<Void> tokenStarterKeyedOneKey(WithKeyedTokenStarter state, KeyCursor.OneKey key) {
		return InstantRequestFactory.call(state.client, key.next());
	}

	@Threads(1)
	public static class OneThread extends RestClientBenchmarks {

	}

	@Threads(2)
	public static class TwoThreads extends RestClientBenchmarks {

	}

	@State(Scope.Benchmark)
	public static class NoInterceptor {

		final RestClient client = InstantRequestFactory.client();

	}

	@State(Scope.Benchmark)
	public static class WithStaticHeader {

		RestClient client;

		@Setup
		public void setUp() {
			this.client = checked("Static header", StaticHeader.requestInterceptor());
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

		RestClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterEngine.start();
			this.client = checked("Static header beside the starter", StaticHeader.requestInterceptor());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class WithSpringSecurity {

		RestClient client;

		@Setup
		public void setUp() {
			this.client = checked("Spring Security", SpringStock.requestInterceptor());
		}

	}

	@State(Scope.Benchmark)
	public static class WithTokenStarter {

		StarterEngine engine;

		RestClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterEngine.start();
			this.client = checked("Token Starter", this.engine.interceptor());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class WithTokenStarterOnRedis {

		StarterOnRedis engine;

		RestClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterOnRedis.start();
			this.client = checked("Token Starter on Redis", this.engine.interceptor());
			this.engine.requireNoRedisCommands("Token Starter on Redis", () -> InstantRequestFactory.call(this.client));
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class WithKeyedTokenStarter {

		KeyedStarter engine;

		RestClient client;

		@Setup
		public void setUp() throws IOException {
			this.engine = KeyedStarter.start();
			int principal = KeyedStarter.KEYS / 2;
			KeyedStarter.requireKeyToken("Token Starter, keyed", principal,
					InstantRequestFactory.authorizationSent(this.engine.engine().interceptor(), this.engine.key(principal)));
			this.client = InstantRequestFactory.client(this.engine.engine().interceptor());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	static RestClient checked(String name, ClientHttpRequestInterceptor interceptor) {
		Fixture.requireToken(name, InstantRequestFactory.authorizationSent(interceptor));
		return InstantRequestFactory.client(interceptor);
	}

}
