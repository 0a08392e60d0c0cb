package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;

import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Background renewal: tokens in use are renewed at their stale point without traffic; idle ones are not; the
 * scheduler's thread goes with the context.
 */
class TokenRefreshSchedulerTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme")
		.withPropertyValues("token.scheduler.enabled=true", "token.scheduler.interval=20ms",
				"token.providers.acme.refresh.idle-timeout=10m");

	@Test
	void activeTokenIsRenewedAtItsStalePointWithoutAnyCall() {
		stubTwoTokens();
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(tokens.token("acme").block().accessToken().getTokenValue()).isEqualTo("T1");
			this.clock.advance(Duration.ofSeconds(250));
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "T2".equals(tokens.cachedToken("acme").accessToken().getTokenValue()));
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	@Test
	void tokenIdleLongerThanTheIdleTimeoutIsNotRenewed() {
		stubTwoTokens();
		this.runner.withPropertyValues("token.scheduler.enabled=false", "token.providers.acme.refresh.idle-timeout=60s")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				tokens.token("acme").block();
				this.clock.advance(Duration.ofSeconds(250));
				assertThat(tokens.renewStaleTokens()).isOne();
				assertThat(tokens.renewStaleTokens()).isZero();
				assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T1");
				assertThat(count(server, tokenRequests())).isEqualTo(1);
			});
	}

	/**
	 * A background renewal is not a use: the renewed token keeps its predecessor's last use, or a token used
	 * once would be renewed for as long as the process runs.
	 */
	@Test
	void aTokenRenewedInTheBackgroundStaysAsIdleAsItsPredecessor() {
		TokenStubs.inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300),
				token("T3", 300));
		this.runner.withPropertyValues("token.scheduler.enabled=false", "token.providers.acme.refresh.idle-timeout=6m")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				tokens.token("acme").block();
				this.clock.advance(Duration.ofSeconds(250));
				assertThat(tokens.renewStaleTokens()).isOne();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> "T2".equals(tokens.cachedToken("acme").accessToken().getTokenValue()));
				// T2 is stale now, and its key was last used 500 s ago: past the idle timeout.
				this.clock.advance(Duration.ofSeconds(250));
				tokens.renewStaleTokens();
				// A renewal would run in the background: no token request may come within a second.
				await().during(Duration.ofSeconds(1))
					.atMost(Duration.ofSeconds(3))
					.until(() -> count(server, tokenRequests()) == 2);
				assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T2");
			});
	}

	@Test
	void aPassLooksOnlyAtTheTokensWhoseStalePointHasCome() {
		server.stubFor(TokenStubs.clientCredentialsRequest().willReturn(token("T", 300)));
		this.runner.withPropertyValues("token.scheduler.enabled=false", "token.providers.acme.refresh.idle-timeout=100s")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				List<TokenKey> keys = IntStream.range(0, 60)
					.mapToObj((i) -> TokenKey.forProvider("acme").principal("user-" + i).build())
					.toList();
				keys.forEach((key) -> tokens.token(key).block());
				// A pass over fresh tokens has nothing to do: it must not cost a look at each of them, however
				// many keys are held.
				assertThat(tokens.renewStaleTokens()).isZero();
				this.clock.advance(Duration.ofSeconds(200));
				keys.subList(0, 3).forEach(tokens::usableToken);
				this.clock.advance(Duration.ofSeconds(50));
				assertThat(tokens.renewStaleTokens()).isEqualTo(60);
				// Only the three used within the idle timeout are renewed; the others wait for their next call.
				await().atMost(Duration.ofSeconds(10)).until(() -> count(server, tokenRequests()) == 63);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> keys.subList(0, 3).stream().allMatch((key) -> tokens.usableToken(key) != null
							&& tokens.usableToken(key).isFreshAt(this.clock.millis())));
				assertThat(tokens.renewStaleTokens()).isLessThanOrEqualTo(3);
				assertThat(tokens.renewStaleTokens()).isZero();
				assertThat(count(server, tokenRequests())).isEqualTo(63);
			});
	}

	@Test
	void schedulerThreadStopsWithTheContext() {
		Set<Thread> others = refreshThreads();
		AtomicReference<TokenRefreshScheduler> scheduler = new AtomicReference<>();
		this.runner.run((context) -> {
			scheduler.set(context.getBean(TokenRefreshScheduler.class));
			assertThat(scheduler.get().isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(() -> !others.containsAll(refreshThreads()));
		});
		assertThat(scheduler.get().isRunning()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> others.containsAll(refreshThreads()));
	}

	private static Set<Thread> refreshThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("token-refresh") && thread.isAlive())
			.collect(Collectors.toSet());
	}

	private static void stubTwoTokens() {
		TokenStubs.inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 300), token("T2", 300));
	}

}
