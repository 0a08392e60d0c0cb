package dev.tokenstarter.grant;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

import dev.tokenstarter.grant.TokenAnswers.Answer;
import dev.tokenstarter.test.Fuzz;
import dev.tokenstarter.test.MutableClock;

import static dev.tokenstarter.test.Fuzz.between;
import static dev.tokenstarter.test.Fuzz.pick;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random token endpoint answers ({@link TokenAnswers}) read by both readers, with random lifetime settings of the
 * range start-up accepts. Whatever comes in, a reader either returns a token an {@code Authorization} header can
 * carry, with a lifetime within the settings, or throws a {@link TokenEndpointException} with a short, printable
 * message that shows no token; nothing else.
 */
class TokenResponseFuzzTests {

	/** What an Authorization header carries after its scheme: visible ASCII, no space. */
	static final Pattern SENDABLE = Pattern.compile("[\\x21-\\x7E]+");

	/** RFC 6749 appendix A: VSCHAR. */
	static final Pattern VSCHARS = Pattern.compile("[\\x20-\\x7E]+");

	private static final int TRIES = 3000;

	private final MutableClock clock = MutableClock.startingNow();

	@Test
	void theRfc6749ReaderReturnsOnlySendableTokensWithinTheLifetimeSettingsOrRefuses() {
		AtomicInteger accepted = new AtomicInteger();
		Fuzz.theory(TRIES, TRIES * 20).forAll(lifetimes(), TokenAnswers.rfc6749()).checkAssert((lifetimes, answer) -> {
			TokenResponseParser parser = new TokenResponseParser(lifetimes.defaultLifetime(), lifetimes.maxLifetime(),
					this.clock);
			OAuth2AccessTokenResponse response = read(() -> parser.parse(answer.status(), answer.contentType(),
					answer.body(), answer.retryAfter()));
			if (response != null) {
				accepted.incrementAndGet();
				assertAcceptable(answer, response, lifetimes);
				if (answer.clean() && answer.expiresIn() != null) {
					assertThat(lifetime(response)).isEqualTo(
							Duration.ofSeconds(Math.min(answer.expiresIn(), lifetimes.maxLifetime().toSeconds())));
				}
				if (answer.clean() && answer.withoutLifetime()) {
					assertThat(lifetime(response)).isEqualTo(Duration.ofSeconds(lifetimes.defaultLifetime().toSeconds()));
				}
			}
		});
		assertReachedBothOutcomes(accepted);
	}

	@Test
	void nombasReaderReturnsOnlySendableTokensWithinTheMaximumLifetimeOrRefuses() {
		AtomicInteger accepted = new AtomicInteger();
		Gen<Boolean> refreshing = (in) -> pick(in, false, true);
		Fuzz.theory(TRIES, TRIES * 20)
			.forAll(lifetimes(), refreshing, TokenAnswers.nomba(this.clock.instant()))
			.checkAssert((lifetimes, refresh, answer) -> {
				NombaResponseReader reader = new NombaResponseReader(refresh, lifetimes.maxLifetime(), this.clock);
				OAuth2AccessTokenResponse response = read(() -> reader.parse(answer.status(), answer.contentType(),
						answer.body(), answer.retryAfter()));
				if (response != null) {
					accepted.incrementAndGet();
					assertAcceptable(answer, response, lifetimes);
				}
			});
		assertReachedBothOutcomes(accepted);
	}

	/**
	 * Lifetime settings start-up accepts.
	 */
	record Lifetimes(Duration defaultLifetime, Duration maxLifetime) {

	}

	/**
	 * Lifetime settings start-up accepts: each at least a second, and the default no longer than the maximum.
	 */
	static Gen<Lifetimes> lifetimes() {
		return (in) -> {
			Duration max = pick(in, Duration.ofDays(30), Duration.ofHours(1), Duration.ofSeconds(1),
					Duration.ofMillis(between(in, 1000, 100_000_000)), Duration.ofDays(3650));
			Duration defaultLifetime = pick(in, Duration.ofMinutes(5), Duration.ofSeconds(1), max,
					Duration.ofMillis(between(in, 1000, (int) Math.min(max.toMillis(), Integer.MAX_VALUE))));
			return new Lifetimes((defaultLifetime.compareTo(max) <= 0) ? defaultLifetime : max, max);
		};
	}

	/**
	 * Runs a reader: returns what it accepted, or null when it refused with a {@link TokenEndpointException} as it
	 * should; anything else thrown fails the property.
	 */
	static @Nullable OAuth2AccessTokenResponse read(ThrowingRead read) {
		try {
			return read.read();
		}
		catch (TokenEndpointException ex) {
			assertRefusal(ex);
			return null;
		}
	}

	@FunctionalInterface
	interface ThrowingRead {

		OAuth2AccessTokenResponse read();

	}

	/**
	 * A refusal reaches logs and callers: a short printable message with an error code, and never a token.
	 */
	static void assertRefusal(TokenEndpointException ex) {
		assertThat(ex.getError().getErrorCode()).isNotBlank();
		assertThat(ex.getMessage()).hasSizeLessThan(600)
			.doesNotContainPattern("\\p{Cntrl}")
			.doesNotContain(TokenAnswers.TOKEN_MARK);
	}

	static void assertAcceptable(Answer answer, OAuth2AccessTokenResponse response, Lifetimes lifetimes) {
		assertAcceptable(answer, response.getAccessToken(), response.getRefreshToken(), lifetimes);
	}

	/**
	 * An accepted token came with a success, can be sent back as it came and is held within the lifetime
	 * settings.
	 */
	static void assertAcceptable(Answer answer, OAuth2AccessToken token, @Nullable OAuth2RefreshToken refreshToken,
			Lifetimes lifetimes) {
		assertThat(answer.status()).isBetween(200, 299);
		assertThat(token.getTokenType()).isEqualTo(OAuth2AccessToken.TokenType.BEARER);
		assertThat(token.getTokenValue()).matches(SENDABLE);
		if (refreshToken != null) {
			assertThat(refreshToken.getTokenValue()).matches(VSCHARS);
		}
		Duration lifetime = Duration.between(token.getIssuedAt(), token.getExpiresAt());
		assertThat(lifetime).isPositive().isLessThanOrEqualTo(lifetimes.maxLifetime());
		assertThat(lifetime.getNano()).as("whole seconds").isZero();
	}

	static void assertReachedBothOutcomes(AtomicInteger accepted) {
		int tries = Integer.getInteger(Fuzz.TRIES, TRIES);
		assertThat(accepted.get()).as("answers accepted of %d: the generator must reach both outcomes", tries)
			.isBetween(tries / 20, tries - tries / 20);
	}

	static Duration lifetime(OAuth2AccessTokenResponse response) {
		return Duration.between(response.getAccessToken().getIssuedAt(), response.getAccessToken().getExpiresAt());
	}

}
