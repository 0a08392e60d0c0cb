package dev.tokenstarter.client;

import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.web.server.WebFilterChain;

import static dev.tokenstarter.test.SignedInUsers.login;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures log the user out on the reactive stack: only a refused renewal of a registration with
 * {@code on-refresh-failure: logout}, of the signed-in user's own login (read from the reactive security context),
 * also when wrapped; everything else passes through unchanged, to Spring's redirect filter or the error handler.
 */
class LoginRefreshFailureLogoutWebFilterTests {

	private final Queue<String> loggedOut = new ConcurrentLinkedQueue<>();

	private final LoginRefreshFailureLogoutWebFilter filter = new LoginRefreshFailureLogoutWebFilter(Set.of("login"),
			List.of((exchange, user) -> Mono.fromRunnable(() -> this.loggedOut.add("first:" + user.getName())),
					(exchange, user) -> Mono.fromRunnable(() -> this.loggedOut.add("second:" + user.getName()))),
			(exchange, user) -> Mono.fromRunnable(() -> {
				this.loggedOut.add("success:" + user.getName());
				exchange.getExchange().getResponse().setStatusCode(HttpStatus.FOUND);
				exchange.getExchange().getResponse().getHeaders().setLocation(URI.create("https://idp.example.com/logout"));
			}));

	@Test
	void aRefusedRenewalOfTheUsersLoginLogsTheUserOutEvenWrapped() {
		MockServerWebExchange exchange = exchange();

		StepVerifier.create(this.filter.filter(exchange,
				failing(new IllegalStateException("wrapped", new ClientAuthorizationRequiredException("login"))))
			.contextWrite(ReactiveSecurityContextHolder.withAuthentication(login("login", "alice"))))
			.verifyComplete();

		assertThat(this.loggedOut).containsExactly("first:alice", "second:alice", "success:alice");
		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.FOUND);
		assertThat(exchange.getResponse().getHeaders().getLocation()).hasToString("https://idp.example.com/logout");
	}

	@Test
	void anotherRegistrationsFailureOrAnotherUserOrAnotherFailureOrNoUserPassesThrough() {
		passesThrough(new ClientAuthorizationRequiredException("other"), login("login", "alice"));
		passesThrough(new IllegalStateException("boom"), login("login", "alice"));
		passesThrough(new ClientAuthorizationRequiredException("login"), login("other", "alice"));
		passesThrough(new ClientAuthorizationRequiredException("login"),
				new TestingAuthenticationToken("alice", null, "ROLE_USER"));
		StepVerifier.create(this.filter.filter(exchange(), failing(new ClientAuthorizationRequiredException("login"))))
			.verifyError(ClientAuthorizationRequiredException.class);
		assertThat(this.loggedOut).isEmpty();
	}

	@Test
	void anExchangeWithoutFailureIsLeftAlone() {
		StepVerifier.create(this.filter.filter(exchange(), (exchange) -> Mono.empty())
			.contextWrite(ReactiveSecurityContextHolder.withAuthentication(login("login", "alice"))))
			.verifyComplete();
		assertThat(this.loggedOut).isEmpty();
	}

	private void passesThrough(RuntimeException failure, Authentication user) {
		StepVerifier.create(this.filter.filter(exchange(), failing(failure))
			.contextWrite(ReactiveSecurityContextHolder.withAuthentication(user)))
			.expectErrorSatisfies((error) -> assertThat(error).isSameAs(failure))
			.verify();
	}

	private static MockServerWebExchange exchange() {
		return MockServerWebExchange.from(MockServerHttpRequest.get("/token"));
	}

	private static WebFilterChain failing(RuntimeException failure) {
		return (exchange) -> Mono.error(failure);
	}

}
