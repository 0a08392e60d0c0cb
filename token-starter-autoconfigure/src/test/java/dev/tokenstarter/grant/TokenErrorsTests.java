package dev.tokenstarter.grant;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import io.netty.handler.ssl.SslClosedEngineException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
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

	@Test
	void aRequestTheServerTimedOutIsWorthSendingAgain() {
		assertThat(TokenErrors.isTransient(new TokenEndpointException(408, "http_408", null, null))).isTrue();
		assertThat(TokenErrors.isTransient(new TokenEndpointException(400, "invalid_request", null, null))).isFalse();
	}

	/**
	 * Netty's TLS failures of a handshake that did not finish: the connection closed during it (a provider or its
	 * load balancer restarting), it timed out, or the engine closed meanwhile. No certificate was refused, and the
	 * caller must not be sent to check its SSL bundle.
	 */
	@Test
	void aHandshakeCutShortIsAConnectionErrorWorthRetrying() throws ReflectiveOperationException {
		Method closedDuringHandshake = Class.forName("io.netty.handler.ssl.StacklessSSLHandshakeException")
			.getDeclaredMethod("newInstance", String.class, Class.class, String.class);
		closedDuringHandshake.setAccessible(true);
		List<Throwable> interrupted = List.of(
				(Throwable) closedDuringHandshake.invoke(null,
						"Connection closed while SSL/TLS handshake was in progress", getClass(), "test"),
				new SslHandshakeTimeoutException("handshake timed out after 10000ms"),
				new SslClosedEngineException("SSLEngine closed already"));
		for (Throwable failure : interrupted) {
			Throwable sent = fromWebClient(failure);
			assertThat(TokenErrors.isTransient(sent)).as(failure.getClass().getSimpleName()).isTrue();
			assertThat(TokenErrors.errorCode(sent)).as(failure.getClass().getSimpleName()).isEqualTo("connection_error");
			assertThat(TokenErrors.description(sent)).doesNotContain("ssl-bundle");
		}
	}

	@Test
	void aRefusedCertificateIsATlsFailureNotWorthRetrying() {
		Throwable refused = fromWebClient(new SSLHandshakeException("PKIX path building failed"));
		assertThat(TokenErrors.isTransient(refused)).isFalse();
		assertThat(TokenErrors.errorCode(refused)).isEqualTo(TokenErrors.TLS_HANDSHAKE_FAILED);
		assertThat(TokenErrors.description(refused)).contains("ssl-bundle");
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
