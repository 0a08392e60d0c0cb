package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ReactiveHttpInputMessage;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.BodyExtractor;

/**
 * Reads a token endpoint's answer, whatever its status, with a size limit, and hands it to a
 * {@link TokenResponseReader}. Plugged into Spring Security's token response clients in place of their default
 * extractor, which knows neither the HTTP status nor {@code Retry-After}.
 *
 * <p>Token requests ask for {@code Accept-Encoding: identity} and nothing decodes the answer (Reactor Netty
 * decompresses only when asked to with {@code compress(true)}), so an answer with any other
 * {@code Content-Encoding} reaches this extractor still encoded and is refused as malformed rather than read as
 * whatever its bytes happen to parse as. Token answers are a few hundred bytes: compression would gain nothing,
 * and Spring Security's own clients do not decode either. The refusal keeps the status and {@code Retry-After},
 * so an encoded 503 is still a transient failure. The unread body is released by {@code exchangeToMono}.
 */
class TokenResponseBodyExtractor implements BodyExtractor<Mono<OAuth2AccessTokenResponse>, ReactiveHttpInputMessage> {

	/** Token responses are small; anything larger is an error page or an attack, not a token. */
	static final int MAX_RESPONSE_BYTES = 64 * 1024;

	/** The only content coding token answers are read in: none. */
	static final String IDENTITY = "identity";

	private final TokenResponseReader parser;

	private final Clock clock;

	private final @Nullable String clientSecret;

	TokenResponseBodyExtractor(TokenResponseReader parser, Clock clock) {
		this(parser, clock, null);
	}

	/**
	 * Creates an extractor that also keeps the client's secret out of the errors it raises, should the provider
	 * echo it in an error description (some do, when rejecting it).
	 * @param parser reads the answer
	 * @param clock the clock of {@code Retry-After} dates
	 * @param clientSecret the secret to mask in provider-supplied text, or null
	 */
	TokenResponseBodyExtractor(TokenResponseReader parser, Clock clock, @Nullable String clientSecret) {
		this.parser = parser;
		this.clock = clock;
		this.clientSecret = clientSecret;
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> extract(ReactiveHttpInputMessage message, Context context) {
		int status = (message instanceof ClientHttpResponse response) ? response.getStatusCode().value() : 200;
		HttpHeaders headers = message.getHeaders();
		String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		Duration retryAfter = retryAfter(headers.getFirst(HttpHeaders.RETRY_AFTER));
		List<String> encodings = headers.getOrEmpty(HttpHeaders.CONTENT_ENCODING);
		if (isEncoded(encodings)) {
			return Mono.error(new TokenEndpointException(status, TokenEndpointException.INVALID_TOKEN_RESPONSE,
					"body sent with Content-Encoding '" + TokenResponseParser.sanitize(String.join(", ", encodings))
							+ "', which was not asked for (Accept-Encoding: identity) and is not decoded",
					retryAfter));
		}
		return BodyBytes.of(DataBufferUtils.join(message.getBody(), MAX_RESPONSE_BYTES))
			// Status and Retry-After kept, as for an encoded body: an oversized 503 is still a 503.
			.onErrorMap(DataBufferLimitException.class, (ex) -> new TokenEndpointException(status,
					TokenEndpointException.INVALID_TOKEN_RESPONSE,
					"response body larger than " + MAX_RESPONSE_BYTES + " bytes", retryAfter))
			.map((body) -> this.parser.parse(status, contentType, body, retryAfter))
			.onErrorMap(TokenEndpointException.class, (ex) -> ex.masking(this.clientSecret));
	}

	/**
	 * Whether any coding of any {@code Content-Encoding} line is other than {@code identity}.
	 */
	private static boolean isEncoded(List<String> encodings) {
		for (String encoding : encodings) {
			for (String coding : StringUtils.commaDelimitedListToStringArray(encoding)) {
				if (!coding.isBlank() && !IDENTITY.equalsIgnoreCase(coding.trim())) {
					return true;
				}
			}
		}
		return false;
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
