package dev.tokenstarter.provider;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.NonBlocking;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.ssl.DpopKey;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.test.DpopVerifyingServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API calls with DPoP-bound tokens (RFC 9449 section 7) and the nonce dance (sections 8 and 9) against a server
 * that verifies every proof (signature with the embedded key, typ, htm, htu, iat, jti replay, ath, nonce) and that
 * the token is bound to the proof's key: {@code Authorization: DPoP} and a fresh proof with {@code ath} on every
 * call of both client kinds; a 400 {@code use_dpop_nonce} from the token endpoint and a 401 {@code use_dpop_nonce}
 * from the API each answered by one retry with the nonce, which is no token rejection; the latest nonce kept per
 * server and rotated nonces followed.
 */
class DpopApiCallTests {

	private static final String P = "token.providers.bank.";

	private final DpopVerifyingServer server = DpopVerifyingServer.start();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
		.withBean(Clock.class, Clock::systemUTC)
		.withPropertyValues(P + "token-uri=" + this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH,
				P + "client-id=app", P + "client-secret=s3cr3t", P + "dpop.enabled=true",
				P + "base-url=" + this.server.baseUrl(), P + "retry.initial-backoff=20ms",
				P + "refresh.max-caller-wait=30s",
				"token.scheduler.enabled=false");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void everyWebClientCallCarriesAFreshProofWithTheTokensHash() {
		this.runner.run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("bank");
			for (int i = 0; i < 3; i++) {
				assertThat(api.get().uri("/orders?page=" + i).retrieve().toBodilessEntity().block().getStatusCode())
					.isEqualTo(HttpStatus.OK);
			}
			assertThat(this.server.refusals()).isEmpty();
			assertThat(this.server.tokensIssued()).isEqualTo(1);
			List<SignedJWT> proofs = this.server.apiProofs();
			assertThat(proofs).hasSize(3);
			assertThat(proofs.stream().map(DpopApiCallTests::claims).map(JWTClaimsSet::getJWTID).distinct()).hasSize(3);
			JWTClaimsSet claims = claims(proofs.get(0));
			assertThat(claims.getClaim("htm")).isEqualTo("GET");
			assertThat(claims.getClaim("htu")).isEqualTo(this.server.baseUrl() + "/orders");
			assertThat(claims.getClaim("ath")).isNotNull();
		});
	}

	@Test
	void aCallFromANonBlockingThreadHasItsProofSignedOffThatThread() {
		this.runner.run((context) -> {
			AtomicReference<Thread> sender = new AtomicReference<>();
			WebClient api = WebClient.builder()
				.baseUrl(this.server.baseUrl())
				.filter(context.getBean(TokenClients.class).filter("bank"))
				.filter((request, next) -> {
					sender.set(Thread.currentThread());
					return next.exchange(request);
				})
				.build();
			// The first call waits for the token, which arrives on an event loop: its proof is signed elsewhere.
			api.get().uri("/orders").retrieve().toBodilessEntity().block();
			assertThat(sender.get()).isNotInstanceOf(NonBlocking.class);
			api.get().uri("/orders").retrieve().toBodilessEntity().block();
			assertThat(sender.get()).isEqualTo(Thread.currentThread());
			HttpStatusCode status = Mono.defer(() -> api.get().uri("/orders").retrieve().toBodilessEntity())
				.subscribeOn(Schedulers.parallel())
				.block()
				.getStatusCode();
			assertThat(status).isEqualTo(HttpStatus.OK);
			assertThat(sender.get()).isNotInstanceOf(NonBlocking.class);
			assertThat(sender.get().getName()).startsWith("boundedElastic");
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	@Test
	void anRsaKeyAskedForOnANonBlockingThreadIsMadeOffThatThread() {
		this.runner.withPropertyValues(P + "dpop.key-type=rsa").run((context) -> {
			AtomicReference<Thread> maker = new AtomicReference<>();
			DpopKey key = Mono.defer(() -> context.getBean(DpopKeys.class).current("bank"))
				.doOnNext((made) -> maker.set(Thread.currentThread()))
				.subscribeOn(Schedulers.parallel())
				.block();
			assertThat(key).isNotNull();
			assertThat(maker.get()).isNotInstanceOf(NonBlocking.class);
		});
	}

	@Test
	void aStoredTokenWhoseKeyDidNotSurviveARestartIsNotSentButReplaced() {
		// A store the application supplies (JDBC, say) keeps tokens across a restart; the key, in memory, does not.
		ReactiveOAuth2AuthorizedClientService kept = new InMemoryReactiveOAuth2AuthorizedClientService(
				new InMemoryReactiveClientRegistrationRepository(ClientRegistration.withRegistrationId("bank")
					.clientId("app")
					.tokenUri(this.server.baseUrl() + DpopVerifyingServer.TOKEN_PATH)
					.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
					.build()));
		ApplicationContextRunner instance = this.runner
			.withBean(ReactiveOAuth2AuthorizedClientService.class, () -> kept);
		instance.run((before) -> get(before.getBean(TokenClients.class).restClient("bank")));
		instance.run((restarted) -> {
			ResponseEntity<Void> answer = get(restarted.getBean(TokenClients.class).restClient("bank"));
			assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
			assertThat(this.server.tokensIssued()).isEqualTo(2);
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	@Test
	void everyRestClientCallCarriesAFreshProofWithTheTokensHash() {
		this.runner.run((context) -> {
			RestClient api = context.getBean(TokenClients.class).restClient("bank");
			for (int i = 0; i < 3; i++) {
				ResponseEntity<Void> answer = api.post().uri("/payments").body("{}").retrieve().toBodilessEntity();
				assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
			}
			assertThat(this.server.refusals()).isEmpty();
			assertThat(this.server.tokensIssued()).isEqualTo(1);
			assertThat(this.server.apiProofs()).hasSize(3);
			assertThat(claims(this.server.apiProofs().get(2)).getClaim("htm")).isEqualTo("POST");
		});
	}

	@Test
	void aTokenEndpointAskingForANonceGetsOneRetryWithIt() {
		this.server.requiringNonces();
		this.runner.run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("bank");
			assertThat(api.get().uri("/orders").retrieve().toBodilessEntity().block().getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(this.server.tokenNonceChallenges()).isEqualTo(1);
			assertThat(this.server.tokensIssued()).isEqualTo(1);
			// The API is on the same server: the nonce learnt at the token endpoint serves it too.
			assertThat(this.server.apiNonceChallenges()).isZero();
			assertThat(claims(this.server.apiProofs().get(0)).getClaim("nonce")).isNotNull();
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	@Test
	void aTokenEndpointAskingForANonceGetsANewClientAssertionWithIt() {
		this.server.requiringNonces();
		this.runner
			.withPropertyValues(P + "client-authentication=client_secret_jwt",
					P + "client-secret=a-client-secret-of-more-than-32-bytes")
			.run((context) -> {
				WebClient api = context.getBean(TokenClients.class).webClient("bank");
				assertThat(api.get().uri("/orders").retrieve().toBodilessEntity().block().getStatusCode())
					.isEqualTo(HttpStatus.OK);
				assertThat(this.server.tokenNonceChallenges()).isEqualTo(1);
				assertThat(this.server.tokensIssued()).isEqualTo(1);
				assertThat(this.server.refusals()).isEmpty();
			});
	}

	/**
	 * A revocation asked for a nonce is sent again with a new client assertion too, as a token request is: the
	 * same one again is refused by a server that spends assertions first, and the token stays valid there.
	 */
	@Test
	void aRevocationAskingForANonceGetsANewClientAssertionWithIt() {
		this.server.requiringNonces();
		this.runner
			.withPropertyValues(P + "client-authentication=client_secret_jwt",
					P + "client-secret=a-client-secret-of-more-than-32-bytes",
					P + "revoke-uri=" + this.server.baseUrl() + DpopVerifyingServer.REVOKE_PATH)
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				String token = tokens.token("bank").block().accessToken().getTokenValue();
				this.server.changeNonce();
				tokens.revoke("bank").block();
				assertThat(this.server.revoked()).containsExactly(token);
				assertThat(this.server.refusals()).isEmpty();
			});
	}

	@Test
	void anApiAskingForANonceGetsOneRetryWithItAndTheTokenIsNotRenewed() {
		this.server.requiringNonces();
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			WebClient webClient = clients.webClient("bank");
			RestClient restClient = clients.restClient("bank");
			assertThat(webClient.get().uri("/orders").retrieve().toBodilessEntity().block().getStatusCode())
				.isEqualTo(HttpStatus.OK);
			this.server.changeNonce();
			assertThat(webClient.get().uri("/orders").retrieve().toBodilessEntity().block().getStatusCode())
				.isEqualTo(HttpStatus.OK);
			this.server.changeNonce();
			assertThat(restClient.get().uri("/orders").retrieve().toBodilessEntity().getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(this.server.apiNonceChallenges()).isEqualTo(2);
			assertThat(this.server.tokensIssued()).isEqualTo(1);
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	@Test
	void aSecondNonceChallengeGoesBackToTheCallerAndTheTokenStays() {
		this.server.challengingEveryApiCall();
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			HttpStatusCode fromWebClient = clients.webClient("bank")
				.get()
				.uri("/orders")
				.exchangeToMono((response) -> Mono.just(response.statusCode()))
				.block();
			HttpStatusCode fromRestClient = clients.restClient("bank")
				.get()
				.uri("/orders")
				.exchange((request, response) -> response.getStatusCode());
			assertThat(List.of(fromWebClient, fromRestClient)).containsOnly(HttpStatus.UNAUTHORIZED);
			assertThat(this.server.apiNonceChallenges()).isEqualTo(4);
			assertThat(this.server.tokensIssued()).isEqualTo(1);
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	/**
	 * The call a nonce challenge sends again carries the body of the first sending, though its publisher can be
	 * subscribed only once (an inbound request's body a service passes on).
	 */
	@Test
	void aCallSentAgainForANonceCarriesTheBodyItWasFirstSentWith() {
		this.server.requiringNonces();
		this.runner.run((context) -> {
			WebClient api = context.getBean(TokenClients.class).webClient("bank");
			api.get().uri("/orders").retrieve().toBodilessEntity().block();
			this.server.changeNonce();
			Sinks.Many<DataBuffer> once = Sinks.many().unicast().onBackpressureBuffer();
			once.tryEmitNext(DefaultDataBufferFactory.sharedInstance.wrap("{\"amount\":1}".getBytes(StandardCharsets.UTF_8)));
			once.tryEmitComplete();
			assertThat(api.post()
				.uri("/transfers")
				.contentType(MediaType.APPLICATION_JSON)
				.body(once.asFlux(), DataBuffer.class)
				.retrieve()
				.toBodilessEntity()
				.block()
				.getStatusCode()).isEqualTo(HttpStatus.OK);
			assertThat(this.server.apiNonceChallenges()).isEqualTo(1);
			assertThat(this.server.apiBodies()).containsExactly("", "{\"amount\":1}");
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	@Test
	void noncesRotatedOnEveryAnswerAreFollowedWithoutChallenges() {
		this.server.requiringNonces().rotatingNonces();
		this.runner.run((context) -> {
			TokenClients clients = context.getBean(TokenClients.class);
			WebClient webClient = clients.webClient("bank");
			RestClient restClient = clients.restClient("bank");
			for (int i = 0; i < 3; i++) {
				assertThat(webClient.get().uri("/orders").retrieve().toBodilessEntity().block().getStatusCode())
					.isEqualTo(HttpStatus.OK);
				assertThat(restClient.get().uri("/orders").retrieve().toBodilessEntity().getStatusCode())
					.isEqualTo(HttpStatus.OK);
			}
			assertThat(this.server.tokenNonceChallenges()).isEqualTo(1);
			assertThat(this.server.apiNonceChallenges()).isZero();
			assertThat(this.server.apiProofs()).hasSize(6);
			assertThat(this.server.refusals()).isEmpty();
		});
	}

	private static JWTClaimsSet claims(SignedJWT proof) {
		try {
			return proof.getJWTClaimsSet();
		}
		catch (ParseException ex) {
			throw new IllegalStateException(ex);
		}
	}


	private static ResponseEntity<Void> get(RestClient api) {
		return api.get().uri("/orders").retrieve().toBodilessEntity();
	}

}
