package dev.tokenstarter.client;

import java.util.List;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.security.web.server.authentication.logout.DelegatingServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.ServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.ServerLogoutSuccessHandler;
import org.springframework.util.Assert;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The reactive stack's {@link LoginRefreshFailureLogoutFilter}: logs a user out when the provider refused to renew
 * the user's login session of a registration with {@code on-refresh-failure: logout}. The engine has removed the
 * user's client from the store and failed the exchange with Spring's {@link ClientAuthorizationRequiredException};
 * instead of letting Spring's {@code OAuth2AuthorizationRequestRedirectWebFilter} send the user to the
 * authorization endpoint (where a live provider session would sign the user in again without a prompt), this
 * filter runs the logout handlers (the local session ends) and then the logout success handler, which ends the
 * provider's session (Spring's {@code OidcClientInitiatedServerLogoutSuccessHandler}: the provider's
 * {@code end_session_endpoint} with the user's ID token as {@code id_token_hint}). It must run inside Spring
 * Security's filter chain, after the redirect filter, so that it sees the failure first and the signed-in user is
 * still known (the reactive security context); failures of other registrations and other users pass through
 * unchanged.
 */
public final class LoginRefreshFailureLogoutWebFilter implements WebFilter {

	private final RefusedLoginRenewals refusals;

	private final ServerLogoutHandler logoutHandler;

	private final ServerLogoutSuccessHandler logoutSuccessHandler;

	/**
	 * Creates the filter.
	 * @param registrationIds the registrations whose refused renewals log the user out
	 * @param logoutHandlers what ends the local session, in order
	 * @param logoutSuccessHandler what ends the provider's session and answers the exchange
	 */
	public LoginRefreshFailureLogoutWebFilter(Set<String> registrationIds, List<ServerLogoutHandler> logoutHandlers,
			ServerLogoutSuccessHandler logoutSuccessHandler) {
		Assert.notNull(registrationIds, "registrationIds cannot be null");
		Assert.notNull(logoutHandlers, "logoutHandlers cannot be null");
		Assert.notNull(logoutSuccessHandler, "logoutSuccessHandler cannot be null");
		this.refusals = new RefusedLoginRenewals(registrationIds);
		this.logoutHandler = new DelegatingServerLogoutHandler(List.copyOf(logoutHandlers));
		this.logoutSuccessHandler = logoutSuccessHandler;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange).onErrorResume((failure) -> logOut(new WebFilterExchange(exchange, chain), failure));
	}

	/**
	 * Logs the signed-in user out when the failure ended the user's login session of a registration that logs users
	 * out, and fails with the failure otherwise.
	 */
	private Mono<Void> logOut(WebFilterExchange exchange, Throwable failure) {
		if (exchange.getExchange().getResponse().isCommitted()) {
			return Mono.error(failure);
		}
		return ReactiveSecurityContextHolder.getContext()
			.mapNotNull((context) -> this.refusals.userToLogOut(failure, context.getAuthentication()))
			.switchIfEmpty(Mono.error(failure))
			.flatMap((user) -> this.logoutHandler.logout(exchange, user)
				.then(this.logoutSuccessHandler.onLogoutSuccess(exchange, user)));
	}

}
