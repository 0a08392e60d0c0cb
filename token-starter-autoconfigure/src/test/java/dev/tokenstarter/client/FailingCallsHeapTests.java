package dev.tokenstarter.client;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.LiveHeap;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.Threads;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.error;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller that loops on an API whose every call fails before it is sent (no token can be had, or the held one
 * cannot be put in a header) must not fill the heap: each failed call leaves nothing behind. Reactor decorates
 * the error each subscriber receives ({@code block()} adds a suppressed exception, WebClient a checkpoint), so an
 * error instance handed to many callers would keep one of each per call for as long as it is itself kept.
 */
class FailingCallsHeapTests {

	private static final int CALLERS = 4;

	private static final int CALLS_PER_CALLER = 1000;

	/**
	 * Whatever a failed call leaves behind adds at least one live object of some class per call; class loading,
	 * compilation and pools settling add far fewer.
	 */
	private static final int MAX_GROWTH = CALLERS * CALLS_PER_CALLER / 4;

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	static Stream<Arguments> failuresOnEachClient() {
		return Arrays.stream(Failure.values())
			.flatMap((failure) -> Arrays.stream(Api.values()).map((api) -> Arguments.of(failure, api)));
	}

	@ParameterizedTest(name = "{0} on {1}")
	@MethodSource("failuresOnEachClient")
	void aLongRunOfCallsThatFailBeforeBeingSentLeavesNothingBehind(Failure failure, Api api) {
		server.stubFor(tokenRequest().willReturn(failure.tokenResponse()));
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(ok()));
		// The clock stands still: a failed renewal stays in its cooldown, and is handed to every call, throughout.
		EngineTestSupport.runner(server, this.clock, "acme")
			.withPropertyValues("token.providers.acme.retry.max-attempts=1")
			.run((context) -> {
				Runnable call = api.caller(context.getBean(TokenClients.class));
				AtomicInteger failed = new AtomicInteger();
				callRepeatedly(call, CALLS_PER_CALLER / 10, failed);
				LiveHeap before = LiveHeap.count();
				Threads.runTogether(CALLERS, () -> callRepeatedly(call, CALLS_PER_CALLER, failed));
				Map<String, Long> grown = LiveHeap.count().grownSince(before, MAX_GROWTH);
				assertThat(failed).hasValue(CALLS_PER_CALLER / 10 + CALLERS * CALLS_PER_CALLER);
				assertThat(count(server, getRequestedFor(urlPathEqualTo(API_PATH)))).isZero();
				assertThat(count(server, tokenRequests())).isOne();
				assertThat(grown).as("live objects added by %d failed calls", CALLERS * CALLS_PER_CALLER).isEmpty();
			});
	}

	private static Void callRepeatedly(Runnable call, int times, AtomicInteger failed) {
		for (int i = 0; i < times; i++) {
			try {
				call.run();
			}
			catch (RuntimeException ex) {
				failed.incrementAndGet();
			}
		}
		return null;
	}

	enum Failure {

		PROVIDER_REFUSES_THE_CLIENT {
			@Override
			ResponseDefinitionBuilder tokenResponse() {
				return error(401, "invalid_client");
			}
		},

		TOKEN_CANNOT_BE_SENT_IN_A_HEADER {
			@Override
			ResponseDefinitionBuilder tokenResponse() {
				// A carriage return inside the token: HTTP clients refuse it in the Authorization header.
				return token("abc\\rdef", 300);
			}
		};

		abstract ResponseDefinitionBuilder tokenResponse();

	}

	enum Api {

		WEB_CLIENT {
			@Override
			Runnable caller(TokenClients clients) {
				WebClient client = clients.webClient("acme");
				return () -> client.get().uri(API_PATH).retrieve().toBodilessEntity().block();
			}
		},

		REST_CLIENT {
			@Override
			Runnable caller(TokenClients clients) {
				RestClient client = clients.restClient("acme");
				return () -> client.get().uri(API_PATH).retrieve().toBodilessEntity();
			}
		};

		abstract Runnable caller(TokenClients clients);

	}

}
