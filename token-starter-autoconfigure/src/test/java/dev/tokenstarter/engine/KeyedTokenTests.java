package dev.tokenstarter.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;
import dev.tokenstarter.test.TokenStubs;
import dev.tokenstarter.test.Threads;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static dev.tokenstarter.test.TokenStubs.clientCredentialsRequest;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.formParameters;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tokens by key: each key its own token, requested with its own scopes and parameters, stored under its own name,
 * renewed once however many callers ask; the application token as before; a bounded number of keys held in memory.
 */
class KeyedTokenTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final ApplicationContextRunner runner = EngineTestSupport.runner(server, this.clock, "acme");

	@Test
	void keysWithDifferentAudiencesGetDifferentTokensEachRequestedWithItsAudience() {
		stubAudiences();
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey orders = TokenKey.forProvider("acme").audience("orders").build();
			TokenKey payments = TokenKey.forProvider("acme").audience("payments").build();
			assertThat(value(tokens.token(orders))).isEqualTo("T-orders");
			assertThat(value(tokens.token(payments))).isEqualTo("T-payments");
			assertThat(value(tokens.token("acme"))).isEqualTo("T-app");
			assertThat(value(tokens.token(TokenKey.application("acme")))).isEqualTo("T-app");
			assertThat(value(tokens.token(orders))).isEqualTo("T-orders");
			assertThat(count(server, tokenRequests())).isEqualTo(3);
			assertThat(tokens.heldKeys()).isEqualTo(3);
		});
	}

	@Test
	void manyCallersOfManyKeysCostOneTokenRequestPerKey() throws Exception {
		stubAudiences();
		server.stubFor(clientCredentialsRequest().withRequestBody(containing("audience=")).willReturn(
				token("T-any", 300).withFixedDelay(200)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			List<Callable<String>> calls = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				TokenKey key = TokenKey.forProvider("acme").audience("api-" + (i % 10)).build();
				calls.add(() -> value(tokens.token(key)));
			}
			assertThat(Threads.runTogether(calls)).hasSize(200).containsOnly("T-any");
			assertThat(count(server, tokenRequests())).isEqualTo(10);
			List<String> audiences = server.findAll(tokenRequests())
				.stream()
				.map(LoggedRequest::getBodyAsString)
				.map((body) -> formParameters(body).get("audience"))
				.toList();
			assertThat(audiences).containsExactlyInAnyOrder("api-0", "api-1", "api-2", "api-3", "api-4", "api-5",
					"api-6", "api-7", "api-8", "api-9");
		});
	}

	@Test
	void aKeysScopesReplaceTheRegistrationsInTheTokenRequest() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T-scoped", 300)));
		this.runner.withPropertyValues("token.providers.acme.scopes=read").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			value(tokens.token(TokenKey.forProvider("acme").scopes("write", "admin").build()));
			value(tokens.token("acme"));
			List<String> scopes = server.findAll(tokenRequests())
				.stream()
				.map((request) -> formParameters(request.getBodyAsString()).get("scope"))
				.toList();
			assertThat(scopes).containsExactly("admin write", "read");
		});
	}

	@Test
	void eachKeyIsStoredUnderANameOfItsOwnAndAPrincipalsPlainKeyUnderItsName() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T", 300)));
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ReactiveOAuth2AuthorizedClientService store = context.getBean(ReactiveOAuth2AuthorizedClientService.class);
			value(tokens.token(TokenKey.forProvider("acme").principal("alice").build()));
			value(tokens.token(TokenKey.forProvider("acme").principal("alice").audience("orders").build()));
			value(tokens.token(TokenKey.forProvider("acme").principal("alice#0123456789abcdef").build()));
			assertThat(stored(store, "alice")).isNotNull();
			List<String> names = List.of("alice", stored(tokens, "acme", "alice", "orders"));
			assertThat(names.get(1)).startsWith("alice#").isNotEqualTo("alice#0123456789abcdef");
			assertThat(stored(store, names.get(1))).isNotNull();
			assertThat(count(server, tokenRequests())).isEqualTo(3);
		});
	}

	@Test
	void aKeyNamingTheRegistrationsOwnRequestSharesTheApplicationToken() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T-app", 300)));
		this.runner.withPropertyValues("token.providers.acme.scopes=read").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThat(value(tokens.token("acme"))).isEqualTo("T-app");
			assertThat(value(tokens.token(TokenKey.forProvider("acme").scopes("read").build()))).isEqualTo("T-app");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	/**
	 * A key that shares another key's token is held for as long as it is used, not for the idle timeout after
	 * it was first asked for: each use restarts its own idle time, not only the other key's. Also when the other
	 * key is used just before it each time: the shared token's last use moves at most once a second, on whichever
	 * key comes first, and a key that always came second was never told it was used, so it idled out while in use
	 * and its next call waited for a renewal.
	 */
	@ParameterizedTest(name = "the application key used just before it: {0}")
	@ValueSource(booleans = { false, true })
	void aKeySharingTheApplicationTokenStaysHeldWhileItIsUsed(boolean applicationKeyUsedFirst) {
		server.stubFor(clientCredentialsRequest().willReturn(token("T-app", 3600)));
		this.runner.withPropertyValues("token.providers.acme.scopes=read", "token.keys.idle-timeout=10m")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				TokenKey sameRequest = TokenKey.forProvider("acme").scopes("read").build();
				value(tokens.token("acme"));
				value(tokens.token(sameRequest));
				for (int minute = 1; minute <= 15; minute++) {
					this.clock.advance(Duration.ofMinutes(1));
					if (applicationKeyUsedFirst) {
						assertThat(tokens.usableToken("acme")).isNotNull();
					}
					assertThat(tokens.usableToken(sameRequest)).as("minute %d", minute).isNotNull();
				}
			});
	}

	/**
	 * Two keys naming one token (the same request said two ways) share one state: when one of them idles out
	 * while the other is in use, the state stays held, and its token is still renewed at its stale point.
	 */
	@Test
	void aStateTwoKeysShareOutlivesTheKeyThatIdles() {
		TokenStubs.inSequence(server, TokenStubs::clientCredentialsRequest, token("T1", 3600), token("T2", 3600));
		this.runner
			.withPropertyValues("token.providers.acme.scopes=read", "token.keys.idle-timeout=10m",
					"token.scheduler.enabled=false")
			.run((context) -> {
				TokenManager tokens = context.getBean(TokenManager.class);
				TokenKey used = TokenKey.forProvider("acme").audience("orders").build();
				TokenKey idle = TokenKey.forProvider("acme").scopes("read").audience("orders").build();
				assertThat(value(tokens.token(used))).isEqualTo("T1");
				assertThat(value(tokens.token(idle))).isEqualTo("T1");
				assertThat(count(server, tokenRequests())).isOne();
				long held = tokens.heldKeys();
				for (int minute = 1; minute <= 50; minute++) {
					this.clock.advance(Duration.ofMinutes(1));
					tokens.usableToken(used);
				}
				// Counting the keys runs the cache's upkeep, which lets the idle key go.
				assertThat(tokens.heldKeys()).isEqualTo(held - 1);
				// Past the token's stale point (5 minutes before its expiry at most): the scheduler's pass renews
				// it, as the key is in use.
				this.clock.advance(Duration.ofMinutes(6));
				tokens.renewStaleTokens();
				await().atMost(BOUND).until(() -> count(server, tokenRequests()) == 2);
				await().atMost(BOUND).until(() -> "T2".equals(tokens.usableToken(used).accessToken().getTokenValue()));
			});
	}

	@Test
	void keysBeyondTheBoundAreDroppedFromMemoryAndReadFromTheStoreAgain() {
		stubAudiences();
		this.runner.withPropertyValues("token.keys.max-held=2").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			List<TokenKey> keys = new ArrayList<>();
			for (String audience : List.of("a", "b", "c", "d")) {
				TokenKey key = TokenKey.forProvider("acme").audience(audience).build();
				keys.add(key);
				value(tokens.token(key));
			}
			value(tokens.token("acme"));
			// Application keys are never dropped; the others are bounded.
			assertThat(tokens.heldKeys()).isEqualTo(3);
			assertThat(keys.stream().filter((key) -> tokens.usableToken(key) != null)).hasSizeLessThanOrEqualTo(2);
			int requests = count(server, tokenRequests());
			for (TokenKey key : keys) {
				value(tokens.token(key));
			}
			assertThat(count(server, tokenRequests())).isEqualTo(requests);
		});
	}

	@Test
	void anIdleKeyIsDroppedFromMemoryAfterTheIdleTimeout() {
		stubAudiences();
		this.runner.withPropertyValues("token.keys.idle-timeout=10m").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey orders = TokenKey.forProvider("acme").audience("orders").build();
			value(tokens.token(orders));
			value(tokens.token("acme"));
			this.clock.advance(Duration.ofMinutes(11));
			assertThat(tokens.usableToken(orders)).isNull();
			assertThat(tokens.heldKeys()).isEqualTo(1);
		});
	}

	@Test
	void springSecuritysAuthorizeRequestChoosesTheKeyByAttribute() {
		stubAudiences();
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			OAuth2AuthorizeRequest plain = OAuth2AuthorizeRequest.withClientRegistrationId("acme")
				.principal(new TestingAuthenticationToken("bob", "n/a"))
				.build();
			OAuth2AuthorizeRequest keyed = OAuth2AuthorizeRequest.withClientRegistrationId("acme")
				.principal(new TestingAuthenticationToken("bob", "n/a"))
				.attributes(TokenKeyAttributes.tokenKey(TokenKey.forProvider("acme").audience("orders").build()))
				.build();
			assertThat(tokens.authorize(plain).block(BOUND).getAccessToken().getTokenValue()).isEqualTo("T-app");
			assertThat(tokens.authorize(keyed).block(BOUND).getAccessToken().getTokenValue()).isEqualTo("T-orders");
			OAuth2AuthorizeRequest otherProvider = OAuth2AuthorizeRequest.withClientRegistrationId("acme")
				.principal(new TestingAuthenticationToken("bob", "n/a"))
				.attributes(TokenKeyAttributes.tokenKey(TokenKey.forProvider("other").build()))
				.build();
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> tokens.authorize(otherProvider).block(BOUND))
				.withMessageContaining("'other'");
		});
	}

	@Test
	void aSingleSessionProviderServesItsApplicationTokenOnly() {
		server.stubFor(clientCredentialsRequest().willReturn(token("T", 300)));
		this.runner.withPropertyValues("token.providers.acme.sessions=single").run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> value(tokens.token(TokenKey.forProvider("acme").audience("orders").build())))
				.withMessageContaining("single session");
			assertThat(value(tokens.token("acme"))).isEqualTo("T");
			assertThat(count(server, tokenRequests())).isEqualTo(1);
		});
	}

	@Test
	void aRenewedKeyIsRenewedAloneWithItsOwnParameters() {
		stubAudiences();
		this.runner.run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey orders = TokenKey.forProvider("acme").audience("orders").build();
			ManagedToken first = tokens.token(orders).block(BOUND);
			value(tokens.token("acme"));
			ManagedToken replaced = tokens.replaceRejected(orders, first).block(BOUND);
			assertThat(replaced.accessToken().getTokenValue()).isEqualTo("T-orders");
			assertThat(replaced).isNotSameAs(first);
			List<Map<String, String>> requests = server.findAll(tokenRequests())
				.stream()
				.map((request) -> formParameters(request.getBodyAsString()))
				.toList();
			assertThat(requests).extracting((parameters) -> parameters.get("audience"))
				.containsExactly("orders", null, "orders");
			assertThat(tokens.cachedToken("acme").accessToken().getTokenValue()).isEqualTo("T-app");
		});
	}

	private static void stubAudiences() {
		server.stubFor(clientCredentialsRequest().withRequestBody(notContaining("audience="))
			.willReturn(token("T-app", 300)));
		for (String audience : List.of("orders", "payments", "a", "b", "c", "d")) {
			server.stubFor(clientCredentialsRequest().withRequestBody(containing("audience=" + audience))
				.willReturn(token("T-" + audience, 300)));
		}
	}

	/**
	 * Another instance removes the key's token (a sign-out) while this instance's read of the store is under way:
	 * the token the read found is not served, nor renewed from.
	 */
	@Test
	void aTokenReadFromTheStoreAsItWasRemovedIsNotServed() throws Exception {
		server.stubFor(clientCredentialsRequest().willReturn(token("T-new", 300)));
		GatedStore store = new GatedStore();
		this.runner.withBean(ReactiveOAuth2AuthorizedClientService.class, () -> store).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			ClientRegistration registration = context.getBean(ReactiveClientRegistrationRepository.class)
				.findByRegistrationId("acme")
				.block(BOUND);
			store.clients.put("acme/bob", new OAuth2AuthorizedClient(registration, "bob",
					new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "T-old", this.clock.instant(),
							this.clock.instant().plusSeconds(300))));
			Sinks.Empty<Void> gate = Sinks.empty();
			store.gate = gate;
			CompletableFuture<String> served = tokens.token(TokenKey.forProvider("acme").principal("bob").build())
				.map((token) -> token.accessToken().getTokenValue())
				.toFuture();
			assertThat(store.reading.await(10, TimeUnit.SECONDS)).isTrue();
			store.clients.remove("acme/bob");
			tokens.forget("acme", "bob");
			gate.tryEmitEmpty();
			assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("T-new");
		});
	}

	/**
	 * A key that idles out of the near cache while its token is being renewed keeps its state until the renewal
	 * ends: a removal meanwhile reaches that renewal, and a caller joins it instead of starting a second one.
	 */
	@Test
	void aKeyThatIdlesOutWhileItsTokenIsRenewedKeepsItsStateUntilTheRenewalEnds() throws Exception {
		server.stubFor(clientCredentialsRequest().willReturn(token("T-bob", 300)));
		GatedStore store = new GatedStore();
		this.runner.withBean(ReactiveOAuth2AuthorizedClientService.class, () -> store).run((context) -> {
			TokenManager tokens = context.getBean(TokenManager.class);
			TokenKey bob = TokenKey.forProvider("acme").principal("bob").build();
			Sinks.Empty<Void> gate = Sinks.empty();
			store.gate = gate;
			CompletableFuture<String> served = tokens.token(bob)
				.map((token) -> token.accessToken().getTokenValue())
				.toFuture();
			assertThat(store.reading.await(10, TimeUnit.SECONDS)).isTrue();
			this.clock.advance(Duration.ofMinutes(31));
			tokens.heldKeys();
			assertThat(tokens.heldKey("acme", "bob")).as("the state of the renewal under way").isEqualTo(bob);
			gate.tryEmitEmpty();
			assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("T-bob");

			this.clock.advance(Duration.ofMinutes(31));
			tokens.heldKeys();
			assertThat(tokens.heldKey("acme", "bob")).as("let go once the renewal ended").isNull();
		});
	}

	/**
	 * A store whose reads, once gated, take what is stored and then wait for the gate to open before answering.
	 */
	private static final class GatedStore implements ReactiveOAuth2AuthorizedClientService {

		final Map<String, OAuth2AuthorizedClient> clients = new ConcurrentHashMap<>();

		final CountDownLatch reading = new CountDownLatch(1);

		volatile Sinks.Empty<Void> gate;

		@Override
		@SuppressWarnings("unchecked")
		public <T extends OAuth2AuthorizedClient> Mono<T> loadAuthorizedClient(String registrationId,
				String principalName) {
			return Mono.defer(() -> {
				T read = (T) this.clients.get(registrationId + "/" + principalName);
				Sinks.Empty<Void> gate = this.gate;
				if (gate == null) {
					return Mono.justOrEmpty(read);
				}
				this.reading.countDown();
				return gate.asMono().then(Mono.justOrEmpty(read));
			});
		}

		@Override
		public Mono<Void> saveAuthorizedClient(OAuth2AuthorizedClient client, Authentication principal) {
			return Mono.fromRunnable(() -> this.clients
				.put(client.getClientRegistration().getRegistrationId() + "/" + principal.getName(), client));
		}

		@Override
		public Mono<Void> removeAuthorizedClient(String registrationId, String principalName) {
			return Mono.fromRunnable(() -> this.clients.remove(registrationId + "/" + principalName));
		}

	}

	private static String value(Mono<ManagedToken> token) {
		return token.block(BOUND).accessToken().getTokenValue();
	}

	private static OAuth2AuthorizedClient stored(ReactiveOAuth2AuthorizedClientService store, String principal) {
		return store.<OAuth2AuthorizedClient>loadAuthorizedClient("acme", principal).block(BOUND);
	}

	private static String stored(TokenManager tokens, String provider, String principal, String audience) {
		ManagedToken token = tokens
			.usableToken(TokenKey.forProvider(provider).principal(principal).audience(audience).build());
		return token.authorizedClient().getPrincipalName();
	}

}
