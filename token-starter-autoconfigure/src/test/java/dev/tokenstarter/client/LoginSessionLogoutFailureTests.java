package dev.tokenstarter.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.web.server.WebFilterExchange;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Spring Security runs the handlers that end the user's session here after the application's own, and not at all
 * once one of those fails: the login session handlers carry on past a token store that fails, so that the user is
 * logged out whatever the store does.
 */
@ExtendWith(OutputCaptureExtension.class)
class LoginSessionLogoutFailureTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	private final MutableClock clock = MutableClock.startingNow();

	private final Authentication alice = new OAuth2AuthenticationToken(
			new DefaultOAuth2User(AuthorityUtils.createAuthorityList("USER"), Map.of("sub", "alice"), "sub"),
			List.of(), "acme");

	@Test
	void theServletHandlerLetsTheLogoutGoOnWhenTheStoreFails(CapturedOutput output) {
		EngineTestSupport.runner(provider, this.clock, "acme")
			.withBean(ReactiveOAuth2AuthorizedClientService.class, FailingStore::new)
			.run((context) -> {
				LoginSessionLogoutHandler handler = new LoginSessionLogoutHandler(
						context.getBean(TokenManager.class), Duration.ofSeconds(5));
				assertThatNoException().isThrownBy(() -> handler.logout(new MockHttpServletRequest(),
						new MockHttpServletResponse(), this.alice));
				assertThat(output.getOut()).contains("Could not end the login session of provider 'acme'",
						"the store does not answer");
			});
	}

	@Test
	void theReactiveHandlerLetsTheLogoutGoOnWhenTheStoreFails(CapturedOutput output) {
		EngineTestSupport.runner(provider, this.clock, "acme")
			.withBean(ReactiveOAuth2AuthorizedClientService.class, FailingStore::new)
			.run((context) -> {
				LoginSessionServerLogoutHandler handler = new LoginSessionServerLogoutHandler(
						context.getBean(TokenManager.class), Duration.ofSeconds(5));
				WebFilterExchange exchange = new WebFilterExchange(
						MockServerWebExchange.from(MockServerHttpRequest.post("/logout")), (served) -> Mono.empty());
				assertThatNoException().isThrownBy(() -> handler.logout(exchange, this.alice).block());
				assertThat(output.getOut()).contains("Could not end the login session of provider 'acme'",
						"the store does not answer");
			});
	}

	/**
	 * A read of the store that fails (timed out while Redis answers other commands) is no reason to keep the
	 * session: the removal goes on. And a logout that stops waiting does not stop the removal.
	 */
	@Test
	void theSessionIsRemovedWhenTheReadFailsAndAfterTheLogoutStoppedWaiting() {
		SlowRemovalStore store = new SlowRemovalStore();
		EngineTestSupport.runner(provider, this.clock, "acme")
			.withBean(ReactiveOAuth2AuthorizedClientService.class, () -> store)
			.run((context) -> {
				LoginSessionLogoutHandler handler = new LoginSessionLogoutHandler(
						context.getBean(TokenManager.class), Duration.ofMillis(200));
				assertThatNoException().isThrownBy(() -> handler.logout(new MockHttpServletRequest(),
						new MockHttpServletResponse(), this.alice));
				await().atMost(Duration.ofSeconds(10)).until(() -> store.removed.contains("acme/alice"));
			});
	}

	/**
	 * A store whose every command fails, as one that times out does.
	 */
	static final class FailingStore implements ReactiveOAuth2AuthorizedClientService {

		@Override
		public <T extends OAuth2AuthorizedClient> Mono<T> loadAuthorizedClient(String clientRegistrationId,
				String principalName) {
			return Mono.error(new IllegalStateException("the store does not answer"));
		}

		@Override
		public Mono<Void> saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
			return Mono.error(new IllegalStateException("the store does not answer"));
		}

		@Override
		public Mono<Void> removeAuthorizedClient(String clientRegistrationId, String principalName) {
			return Mono.error(new IllegalStateException("the store does not answer"));
		}

	}

	/**
	 * A store whose reads fail and whose removals take a second.
	 */
	static final class SlowRemovalStore implements ReactiveOAuth2AuthorizedClientService {

		final Set<String> removed = ConcurrentHashMap.newKeySet();

		@Override
		public <T extends OAuth2AuthorizedClient> Mono<T> loadAuthorizedClient(String clientRegistrationId,
				String principalName) {
			return Mono.error(new IllegalStateException("the read timed out"));
		}

		@Override
		public Mono<Void> saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
			return Mono.empty();
		}

		@Override
		public Mono<Void> removeAuthorizedClient(String clientRegistrationId, String principalName) {
			return Mono.delay(Duration.ofSeconds(1))
				.doOnNext((tick) -> this.removed.add(clientRegistrationId + "/" + principalName))
				.then();
		}

	}

}
