package dev.tokenstarter.grant;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.mock.http.client.reactive.MockClientHttpResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.web.reactive.function.BodyExtractor;

import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The extractor reads answers as sent: a body with a content coding other than {@code identity} is still encoded
 * when it gets here, and is refused instead of parsed.
 */
class TokenResponseBodyExtractorTests {

	private static final String TOKEN = "{\"access_token\":\"A\",\"token_type\":\"Bearer\",\"expires_in\":300}";

	private final MutableClock clock = MutableClock.startingNow();

	private final TokenResponseBodyExtractor extractor = new TokenResponseBodyExtractor(
			new TokenResponseParser(Duration.ofMinutes(5), Duration.ofDays(30), this.clock), this.clock);

	@ParameterizedTest(name = "Content-Encoding: {0}")
	@ValueSource(strings = { "gzip", "br", "deflate", "identity, gzip", "x-custom" })
	void anEncodedBodyIsRefused(String encoding) {
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> extract(response(HttpStatus.OK, TOKEN, List.of(encoding))))
			.satisfies((ex) -> {
				assertThat(ex.getError().getErrorCode()).isEqualTo(TokenEndpointException.INVALID_TOKEN_RESPONSE);
				assertThat(ex.getError().getDescription()).contains("Content-Encoding");
				assertThat(TokenErrors.isTransient(ex)).isFalse();
			});
	}

	@Test
	void anEncodingInASecondHeaderLineIsRefusedToo() {
		assertThatExceptionOfType(TokenEndpointException.class)
			.isThrownBy(() -> extract(response(HttpStatus.OK, TOKEN, List.of("identity", "gzip"))))
			.satisfies((ex) -> assertThat(ex.getError().getErrorCode())
				.isEqualTo(TokenEndpointException.INVALID_TOKEN_RESPONSE));
	}

	@Test
	void anEncoded503StaysTransientWithItsRetryAfter() {
		assertTransientWithItsRetryAfter(
				response(HttpStatus.SERVICE_UNAVAILABLE, "<html>busy</html>", List.of("gzip")));
	}

	@Test
	void anOversized503StaysTransientWithItsRetryAfter() {
		assertTransientWithItsRetryAfter(
				response(HttpStatus.SERVICE_UNAVAILABLE, "x".repeat(70 * 1024), List.of()));
	}

	/**
	 * Asserts that a 503 the extractor cannot read stays a transient 503 with its {@code Retry-After}.
	 */
	private void assertTransientWithItsRetryAfter(MockClientHttpResponse response) {
		response.getHeaders().set(HttpHeaders.RETRY_AFTER, "7");
		assertThatExceptionOfType(TokenEndpointException.class).isThrownBy(() -> extract(response))
			.satisfies((ex) -> {
				assertThat(ex.getStatus()).isEqualTo(503);
				assertThat(ex.getRetryAfter()).isEqualTo(Duration.ofSeconds(7));
				assertThat(TokenErrors.isTransient(ex)).isTrue();
			});
	}

	@ParameterizedTest(name = "Content-Encoding: \"{0}\"")
	@ValueSource(strings = { "identity", "Identity", " identity ", "" })
	void anUnencodedBodyIsRead(String encoding) {
		assertThat(extract(response(HttpStatus.OK, TOKEN, List.of(encoding))).getAccessToken().getTokenValue())
			.isEqualTo("A");
		assertThat(extract(response(HttpStatus.OK, TOKEN, Collections.emptyList())).getAccessToken().getTokenValue())
			.isEqualTo("A");
	}

	/**
	 * A provider that repeats the client's secret in a long error description: the description is cut before it
	 * reaches the error, and a secret cut there is masked as far as it goes.
	 */
	@ParameterizedTest(name = "secret starting at character {0}")
	@ValueSource(ints = { 0, 150, 185, 199 })
	void aSecretRepeatedByTheProviderIsMaskedWhereverTheDescriptionIsCut(int at) {
		String secret = "s3cr3t-0123456789abcdef";
		TokenResponseBodyExtractor masking = new TokenResponseBodyExtractor(
				new TokenResponseParser(Duration.ofMinutes(5), Duration.ofDays(30), this.clock), this.clock, secret);
		String description = "x".repeat(at) + secret + " is not this client's secret";
		MockClientHttpResponse refusal = response(HttpStatus.UNAUTHORIZED,
				"{\"error\":\"invalid_client\",\"error_description\":\"" + description + "\"}", List.of());
		assertThatExceptionOfType(TokenEndpointException.class).isThrownBy(() -> extract(masking, refusal))
			.satisfies((ex) -> {
				assertThat(ex.getError().getDescription()).startsWith("x".repeat(Math.min(at, 150)))
					.doesNotContain(secret.substring(0, 1) + secret.substring(1, 4));
				assertThat(ex.getMessage()).doesNotContain(secret.substring(0, 4));
			});
	}

	private OAuth2AccessTokenResponse extract(MockClientHttpResponse response) {
		return extract(this.extractor, response);
	}

	private OAuth2AccessTokenResponse extract(TokenResponseBodyExtractor extractor, MockClientHttpResponse response) {
		return extractor.extract(response, new BodyExtractor.Context() {

			@Override
			public List<HttpMessageReader<?>> messageReaders() {
				return List.of();
			}

			@Override
			public Optional<ServerHttpResponse> serverResponse() {
				return Optional.empty();
			}

			@Override
			public Map<String, Object> hints() {
				return Map.of();
			}

		}).block(Duration.ofSeconds(5));
	}

	private static MockClientHttpResponse response(HttpStatus status, String body, List<String> encodings) {
		MockClientHttpResponse response = new MockClientHttpResponse(status);
		response.getHeaders().set(HttpHeaders.CONTENT_TYPE, "application/json");
		encodings.forEach((encoding) -> response.getHeaders().add(HttpHeaders.CONTENT_ENCODING, encoding));
		response.setBody(body);
		return response;
	}

}
