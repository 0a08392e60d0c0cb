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
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * The per-call cost of DPoP (RFC 9449) on the hot path: the starter's filter and interceptor with a Bearer token
 * and with a DPoP-bound token, whose every call signs an ES256 proof with {@code ath}; and the proof alone, which
 * is what a thread signing it (a caller's, or a Reactor event loop's when a renewed token arrives there) spends.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class DpopBenchmarks {

	@Benchmark
	public ResponseEntity<Void> webClientBearer(Bearer state) {
		return InstantExchange.call(state.webClient);
	}

	@Benchmark
	public ResponseEntity<Void> webClientDpop(Dpop state) {
		return InstantExchange.call(state.webClient);
	}

	@Benchmark
	public ResponseEntity<Void> restClientBearer(Bearer state) {
		return InstantRequestFactory.call(state.restClient);
	}

	@Benchmark
	public ResponseEntity<Void> restClientDpop(Dpop state) {
		return InstantRequestFactory.call(state.restClient);
	}

	@Benchmark
	public String proofOnly(Dpop state) {
		return state.proofs.proof(Fixture.REGISTRATION_ID, "GET", Fixture.API, state.tokenValue);
	}

	@State(Scope.Benchmark)
	public static class Bearer {

		StarterEngine engine;

		WebClient webClient;

		RestClient restClient;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterEngine.start();
			Fixture.requireToken("Token Starter, Bearer", InstantExchange.authorizationSent(this.engine.filter()));
			this.webClient = InstantExchange.client(this.engine.filter());
			this.restClient = InstantRequestFactory.client(this.engine.interceptor());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

	@State(Scope.Benchmark)
	public static class Dpop {

		StarterEngine engine;

		WebClient webClient;

		RestClient restClient;

		DpopProofs proofs;

		String tokenValue;

		@Setup
		public void setUp() throws IOException {
			this.engine = StarterEngine.startWithDpop();
			String sent = InstantExchange.authorizationSent(this.engine.filter());
			if (!("DPoP " + Fixture.TOKEN_VALUE).equals(sent)) {
				throw new IllegalStateException("Token Starter, DPoP sent " + sent + " instead of the DPoP token");
			}
			ManagedToken token = this.engine.bean(TokenManager.class).usableToken(Fixture.REGISTRATION_ID);
			this.tokenValue = token.accessToken().getTokenValue();
			this.proofs = this.engine.bean(DpopProofs.class);
			this.webClient = InstantExchange.client(this.engine.filter());
			this.restClient = InstantRequestFactory.client(this.engine.interceptor());
		}

		@TearDown
		public void tearDown() {
			this.engine.close();
		}

	}

}
