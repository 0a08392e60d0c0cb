package dev.tokenstarter.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;

import dev.tokenstarter.client.RejectedTokenRetry.Verdict;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenSource;
import dev.tokenstarter.ssl.DpopKey;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.ssl.DpopProofs;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision the {@code WebClient} filter and the {@code RestClient} interceptor share, answer by answer: which
 * answer goes back as it is, which sends the call again for a DPoP nonce, which renews the token; which nonce is
 * kept; and what the retry records and logs. The clients' own tests show each answer end to end against a server.
 */
@ExtendWith(OutputCaptureExtension.class)
class RejectedTokenRetryTests {

	private static final URI API = URI.create("https://api.example.com/orders");

	private static final String NONCE_CHALLENGE = "DPoP error=\"use_dpop_nonce\", "
			+ "error_description=\"Resource server requires nonce in DPoP proof\"";

	private final DpopProofs proofs = new DpopProofs(new DpopKeys(new TokenSettings(new TokenProperties())),
			Clock.systemUTC());

	private final ProviderApi bearerApi = new ProviderApi("acme", Set.of(401), Map.of(), Duration.ZERO);

	private final ProviderApi dpopApi = new ProviderApi("acme", Set.of(401), Map.of(), Duration.ZERO, this.proofs,
			false);

	private final RecordedRetries recorded = new RecordedRetries();

	private final AtomicInteger headerReads = new AtomicInteger();

	private final RejectedTokenRetry<HttpHeaders> retry = new RejectedTokenRetry<>(this.recorded,
			LogFactory.getLog(RejectedTokenRetryTests.class), (headers) -> {
				this.headerReads.incrementAndGet();
				return headers;
			});

	@Test
	void aSuccessGoesBackAsItIsWithoutReadingItsHeaders() {
		assertThat(this.retry.judge(this.bearerApi, false, 200, new HttpHeaders())).isEqualTo(Verdict.RETURN);
		assertThat(this.retry.judge(this.dpopApi, false, 204, new HttpHeaders())).isEqualTo(Verdict.RETURN);
		assertThat(this.headerReads).hasValue(0);
	}

	@Test
	void anUnauthorizedStatusRenewsTheToken() {
		assertThat(this.retry.judge(this.bearerApi, false, 401, new HttpHeaders())).isEqualTo(Verdict.RENEW);
		assertThat(this.headerReads).hasValue(0);
	}

	@Test
	void theProviderChoosesWhichStatusesAreRejections() {
		ProviderApi forbiddenToo = new ProviderApi("acme", Set.of(401, 403), Map.of(), Duration.ZERO);
		assertThat(this.retry.judge(forbiddenToo, false, 403, new HttpHeaders())).isEqualTo(Verdict.RENEW);
		assertThat(this.retry.judge(this.bearerApi, false, 403, new HttpHeaders())).isEqualTo(Verdict.RETURN);
		assertThat(this.retry.judge(this.bearerApi, false, 500, new HttpHeaders())).isEqualTo(Verdict.RETURN);
	}

	@Test
	void aNonceChallengeToADpopBoundTokenSendsTheCallAgainWithTheNonceItGives() throws Exception {
		HttpHeaders challenge = challenge("n-1");
		this.retry.keepNonce(this.dpopApi, API, challenge);
		assertThat(this.retry.judge(this.dpopApi, true, 401, challenge)).isEqualTo(Verdict.RESEND);
		assertThat(nonceOfNextProof()).isEqualTo("n-1");
	}

	/**
	 * A server that takes Bearer and DPoP tokens names both challenges (RFC 9449 section 7.1), on one line or two,
	 * in either order; the DPoP one asks for the nonce.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "Bearer, DPoP error=\"use_dpop_nonce\"",
			"Bearer realm=\"api\", DPoP algs=\"ES256 PS256\", error=\"use_dpop_nonce\", error_description=\"a, b\"",
			"dpop error=use_dpop_nonce", "Basic realm=\"x\", DPoP error = \"use_dpop_nonce\"" })
	void aNonceChallengeAmongOtherChallengesSendsTheCallAgain(String header) {
		assertThat(this.retry.judge(this.dpopApi, true, 401, challengeLine(header))).isEqualTo(Verdict.RESEND);
	}

	/**
	 * The nonce error of another scheme's challenge, or a quoted text that only looks like one, asks for nothing.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "DPoP error=\"invalid_token\", Bearer error=\"use_dpop_nonce\"",
			"DPoP error_description=\"not error=use_dpop_nonce\"", "Bearer realm=\"DPoP error=use_dpop_nonce\"" })
	void aNonceErrorOutsideTheDpopChallengeIsARejection(String header) {
		assertThat(this.retry.judge(this.dpopApi, true, 401, challengeLine(header))).isEqualTo(Verdict.RENEW);
	}

	@Test
	void aNonceChallengeToABearerTokenIsARejection() {
		assertThat(this.retry.judge(this.dpopApi, false, 401, challenge("n-1"))).isEqualTo(Verdict.RENEW);
		assertThat(this.headerReads).hasValue(0);
	}

	@Test
	void aNonceChallengeWithoutANonceIsARejection() {
		HttpHeaders challenge = new HttpHeaders();
		challenge.set(HttpHeaders.WWW_AUTHENTICATE, NONCE_CHALLENGE);
		assertThat(this.retry.judge(this.dpopApi, true, 401, challenge)).isEqualTo(Verdict.RENEW);
	}

	@Test
	void aDpopInvalidTokenChallengeIsARejection() {
		HttpHeaders challenge = new HttpHeaders();
		challenge.set(HttpHeaders.WWW_AUTHENTICATE, "DPoP error=\"invalid_token\"");
		challenge.set(DpopProofs.NONCE_HEADER, "n-1");
		assertThat(this.retry.judge(this.dpopApi, true, 401, challenge)).isEqualTo(Verdict.RENEW);
	}

	@Test
	void aNonceChallengeOfAProviderWithoutDpopIsARejection() {
		assertThat(this.retry.judge(this.bearerApi, true, 401, challenge("n-1"))).isEqualTo(Verdict.RENEW);
	}

	@Test
	void aNonceChallengeIsOnlyEverA401() {
		assertThat(this.retry.judge(this.dpopApi, true, 400, challenge("n-1"))).isEqualTo(Verdict.RETURN);
	}

	@Test
	void theAnswerToACallSentAgainForANonceIsNeverSentAgainForAnother() {
		assertThat(this.retry.judgeResent(this.dpopApi, 401, new HttpHeaders())).isEqualTo(Verdict.RENEW);
		assertThat(this.retry.judgeResent(this.dpopApi, 200, new HttpHeaders())).isEqualTo(Verdict.RETURN);
		assertThat(this.retry.judgeResent(this.dpopApi, 500, new HttpHeaders())).isEqualTo(Verdict.RETURN);
	}

	@Test
	void aSecondNonceChallengeIsTheCallersAndNoRejectionOfTheToken() {
		assertThat(this.retry.judgeResent(this.dpopApi, 401, challenge("n-2"))).isEqualTo(Verdict.RETURN);
	}

	@Test
	void aNonceChallengeToTheRenewedTokenSaysNothingOfIt() {
		assertThat(this.retry.saysNothingOfTheToken(this.dpopApi, true, 401, challenge("n-2"))).isTrue();
		assertThat(this.retry.saysNothingOfTheToken(this.dpopApi, true, 401, new HttpHeaders())).isFalse();
		assertThat(this.retry.saysNothingOfTheToken(this.dpopApi, false, 401, challenge("n-2"))).isFalse();
		assertThat(this.retry.saysNothingOfTheToken(this.dpopApi, true, 200, new HttpHeaders())).isFalse();
	}

	@Test
	void anyAnswerToADpopBoundCallMayGiveTheNextNonce() throws Exception {
		HttpHeaders success = new HttpHeaders();
		success.set(DpopProofs.NONCE_HEADER, "n-2");
		this.retry.keepNonce(this.dpopApi, API, success);
		assertThat(nonceOfNextProof()).isEqualTo("n-2");
	}

	@Test
	void anAnswerWithoutANonceOrWithOneThatCannotBeSentKeepsTheLastOne() throws Exception {
		this.retry.keepNonce(this.dpopApi, API, challenge("n-1"));
		this.retry.keepNonce(this.dpopApi, API, new HttpHeaders());
		HttpHeaders unsendable = new HttpHeaders();
		unsendable.set(DpopProofs.NONCE_HEADER, "n\"2");
		this.retry.keepNonce(this.dpopApi, API, unsendable);
		assertThat(nonceOfNextProof()).isEqualTo("n-1");
	}

	@Test
	void serversWhoseNamesAreNoHostsToJavaKeepNoncesOfTheirOwn() throws Exception {
		URI tokenEndpoint = URI.create("http://auth_server/token");
		URI api = URI.create("http://api_server/orders");
		this.retry.keepNonce(this.dpopApi, tokenEndpoint, challenge("n-auth"));
		this.retry.keepNonce(this.dpopApi, api, challenge("n-api"));
		DpopKey key = new DpopKey(new ECKeyGenerator(Curve.P_256).generate());
		assertThat(SignedJWT.parse(this.proofs.proof(key, "POST", tokenEndpoint)).getJWTClaimsSet().getStringClaim("nonce"))
			.isEqualTo("n-auth");
	}

	@Test
	void aRetryIsASuccessUnlessTheRenewedTokenIsRejectedToo() {
		assertThat(this.retry.accepts(this.bearerApi, 200)).isTrue();
		assertThat(this.retry.accepts(this.bearerApi, 500)).isTrue();
		assertThat(this.retry.accepts(this.bearerApi, 401)).isFalse();
	}

	@Test
	void aRetryIsRecordedForTheTokenTheCallCarried() {
		TokenKey orders = TokenKey.forProvider("acme").audience("orders").build();
		this.retry.recordRetry(this.bearerApi, null, true);
		this.retry.recordRetry(this.bearerApi, orders, false);
		assertThat(this.recorded.retries).containsExactly("acme accepted", orders + " rejected");
	}

	@Test
	void theLogSaysWhatTheApiSaidWhenItRejectedTheToken(CapturedOutput output) {
		assertThat(this.retry.logsRejections()).isTrue();
		byte[] body = "{\"code\":\"900901\",\"message\":\"Invalid Credentials\"}".getBytes(StandardCharsets.UTF_8);
		this.retry.logRejection(this.bearerApi, 401, body);
		assertThat(output).contains("The API of provider 'acme' rejected its token: HTTP 401 with code 900901 "
				+ "(Invalid Credentials); retrying once with a renewed token");
	}

	/**
	 * Headers of a 401 with a nonce and the given {@code WWW-Authenticate} line.
	 */
	private static HttpHeaders challengeLine(String wwwAuthenticate) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.WWW_AUTHENTICATE, wwwAuthenticate);
		headers.set(DpopProofs.NONCE_HEADER, "n-1");
		return headers;
	}

	private static HttpHeaders challenge(String nonce) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.WWW_AUTHENTICATE, NONCE_CHALLENGE);
		headers.set(DpopProofs.NONCE_HEADER, nonce);
		return headers;
	}

	private @Nullable String nonceOfNextProof() throws JOSEException, ParseException {
		DpopKey key = new DpopKey(new ECKeyGenerator(Curve.P_256).generate());
		return SignedJWT.parse(this.proofs.proof(key, "GET", API)).getJWTClaimsSet().getStringClaim("nonce");
	}

	/**
	 * The engine's record of retries; a call here asks for no token.
	 */
	private static final class RecordedRetries implements TokenSource {

		private final List<String> retries = new ArrayList<>();

		@Override
		public void recordUnauthorizedRetry(String registrationId, boolean success) {
			this.retries.add(registrationId + (success ? " accepted" : " rejected"));
		}

		@Override
		public void recordUnauthorizedRetry(TokenKey key, boolean success) {
			this.retries.add(key + (success ? " accepted" : " rejected"));
		}

		@Override
		public Mono<ManagedToken> token(String registrationId) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<ManagedToken> token(TokenKey key) {
			throw new UnsupportedOperationException();
		}

		@Override
		public @Nullable ManagedToken usableToken(String registrationId) {
			throw new UnsupportedOperationException();
		}

		@Override
		public @Nullable ManagedToken usableToken(TokenKey key) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<ManagedToken> awaitToken(String registrationId) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<ManagedToken> awaitToken(TokenKey key) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<ManagedToken> replaceRejected(String registrationId, ManagedToken rejected) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<ManagedToken> replaceRejected(TokenKey key, ManagedToken rejected) {
			throw new UnsupportedOperationException();
		}

	}

}
