package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ReactiveHttpInputMessage;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.web.reactive.function.BodyExtractor;

/**
 * Reads a token endpoint's answer, whatever its status, with a size limit, and hands it to a
 * {@link TokenResponseReader}. Plugged into Spring Security's token response clients in place of their default
 * extractor, which knows neither the HTTP status nor {@code Retry-After}.
 */
public class TokenResponseBodyExtractor implements BodyExtractor<Mono<OAuth2AccessTokenResponse>, ReactiveHttpInputMessage> {

	/** Token responses are small; anything larger is an error page or an attack, not a token. */
	static final int MAX_RESPONSE_BYTES = 64 * 1024;

	private final TokenResponseReader parser;

	private final Clock clock;

	public TokenResponseBodyExtractor(TokenResponseReader parser, Clock clock) {
		this.parser = parser;
		this.clock = clock;
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> extract(ReactiveHttpInputMessage message, Context context) {
		int status = (message instanceof ClientHttpResponse response) ? response.getStatusCode().value() : 200;
		HttpHeaders headers = message.getHeaders();
		String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		Duration retryAfter = retryAfter(headers.getFirst(HttpHeaders.RETRY_AFTER));
		return BodyBytes.of(DataBufferUtils.join(message.getBody(), MAX_RESPONSE_BYTES))
			.onErrorMap(DataBufferLimitException.class, (ex) -> TokenEndpointException.invalidResponse(status,
					"response body larger than " + MAX_RESPONSE_BYTES + " bytes"))
			.map((body) -> this.parser.parse(status, contentType, body, retryAfter));
	}

	private @Nullable Duration retryAfter(@Nullable String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			long seconds = Long.parseLong(value.trim());
			return (seconds >= 0) ? Duration.ofSeconds(seconds) : null;
		}
		catch (NumberFormatException ex) {
			try {
				Duration delay = Duration.between(this.clock.instant(),
						ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
				return delay.isNegative() ? Duration.ZERO : delay;
			}
			catch (DateTimeParseException dateEx) {
				return null;
			}
		}
	}

}
