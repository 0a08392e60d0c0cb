package dev.tokenstarter.grant;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;

import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenErrors}: a provider that does not answer in time is a {@code timeout}, whichever layer
 * gave up first.
 */
class TokenErrorsTests {

	@Test
	void theRequestTimeoutOfTheEngineIsATimeout() {
		assertTimeout(new TimeoutException("Did not observe any item or terminal signal within 500ms"));
	}

	@Test
	void reactorNettysResponseTimeoutIsATimeoutNotABrokenConnection() {
		// Reactor Netty's responseTimeout and the engine's request timeout are the same duration: either may fire
		// first on a busy machine, and the caller must see the same code.
		assertTimeout(fromWebClient(ReadTimeoutException.INSTANCE));
	}

	@Test
	void theJdkClientsReadTimeoutIsATimeout() {
		assertTimeout(fromWebClient(new HttpTimeoutException("request timed out")));
	}

	@Test
	void aSocketReadTimeoutIsATimeout() {
		assertTimeout(fromWebClient(new SocketTimeoutException("Read timed out")));
	}

	@Test
	void aConnectionClosedWithoutAnAnswerIsAConnectionError() {
		Throwable closed = fromWebClient(new IOException("Connection prematurely closed BEFORE response"));
		assertThat(TokenErrors.errorCode(closed)).isEqualTo("connection_error");
		assertThat(TokenErrors.isTransient(closed)).isTrue();
	}

	private static void assertTimeout(Throwable failure) {
		assertThat(TokenErrors.errorCode(failure)).isEqualTo("timeout");
		assertThat(TokenErrors.metricTag(failure)).isEqualTo("timeout");
		assertThat(TokenErrors.isTransient(failure)).isTrue();
	}

	private static WebClientRequestException fromWebClient(Throwable cause) {
		return new WebClientRequestException(cause, HttpMethod.POST, URI.create("http://127.0.0.1:1/token"),
				new HttpHeaders());
	}

}
