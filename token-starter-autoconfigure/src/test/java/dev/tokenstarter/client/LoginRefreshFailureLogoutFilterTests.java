package dev.tokenstarter.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;

import static dev.tokenstarter.test.SignedInUsers.login;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which failures log the user out: only a refused renewal of a registration with {@code on-refresh-failure:
 * logout}, of the signed-in user's own login, however deeply the servlet wrapped it; everything else passes
 * through unchanged, to Spring's redirect filter or the error page.
 */
class LoginRefreshFailureLogoutFilterTests {

	private final List<String> loggedOut = new ArrayList<>();

	private final LoginRefreshFailureLogoutFilter filter = new LoginRefreshFailureLogoutFilter(Set.of("login"),
			List.of((request, response, user) -> this.loggedOut.add("handler:" + user.getName())),
			(request, response, user) -> {
				this.loggedOut.add("success:" + user.getName());
				response.sendRedirect("https://idp.example.com/logout");
			});

	@AfterEach
	void clearContext() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void aRefusedRenewalOfTheUsersLoginLogsTheUserOutEvenWrappedByTheServlet() throws Exception {
		signIn(login("login", "alice"));
		MockHttpServletResponse response = new MockHttpServletResponse();

		this.filter.doFilter(new MockHttpServletRequest(), response, failing(
				new ServletException("Request processing failed", new ClientAuthorizationRequiredException("login"))));

		assertThat(this.loggedOut).containsExactly("handler:alice", "success:alice");
		assertThat(response.getRedirectedUrl()).isEqualTo("https://idp.example.com/logout");
	}

	@Test
	void anotherRegistrationsFailureOrAnotherUserOrAnotherFailurePassesThrough() {
		signIn(login("login", "alice"));
		assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
			.isThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
					failing(new ClientAuthorizationRequiredException("other"))));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
					failing(new IllegalStateException("boom"))));

		signIn(login("other", "alice"));
		assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
			.isThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
					failing(new ClientAuthorizationRequiredException("login"))));

		signIn(new TestingAuthenticationToken("alice", null, "ROLE_USER"));
		assertThatExceptionOfType(ClientAuthorizationRequiredException.class)
			.isThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
					failing(new ClientAuthorizationRequiredException("login"))));
		assertThat(this.loggedOut).isEmpty();
	}

	private static MockFilterChain failing(Exception failure) {
		return new MockFilterChain(new HttpServlet() {

			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException {
				if (failure instanceof ServletException servlet) {
					throw servlet;
				}
				throw (RuntimeException) failure;
			}

		});
	}

	private static void signIn(Authentication authentication) {
		SecurityContextHolder.getContext().setAuthentication(authentication);
	}

}
