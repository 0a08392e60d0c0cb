package dev.tokenstarter.client;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.authentication.logout.LogoutSuccessHandler;
import org.springframework.util.Assert;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Logs a user out when the provider refused to renew the user's login session of a registration with
 * {@code on-refresh-failure: logout}: the engine has removed the user's client from the store and failed the
 * request with Spring's {@link ClientAuthorizationRequiredException}; instead of letting Spring's
 * {@code OAuth2AuthorizationRequestRedirectFilter} send the user to the authorization endpoint (where a live
 * provider session would sign the user in again without a prompt), this filter runs the logout handlers (the
 * local session ends) and then the logout success handler, which ends the provider's session (Spring's
 * {@code OidcClientInitiatedLogoutSuccessHandler}: the provider's {@code end_session_endpoint} with the user's ID
 * token as {@code id_token_hint}). It must run inside Spring Security's filter chain, after the redirect filter,
 * so that it sees the failure first and the signed-in user is still known; failures of other registrations and
 * other users pass through unchanged.
 */
public final class LoginRefreshFailureLogoutFilter extends OncePerRequestFilter {

	private final RefusedLoginRenewals refusals;

	private final List<LogoutHandler> logoutHandlers;

	private final LogoutSuccessHandler logoutSuccessHandler;

	/**
	 * Creates the filter.
	 * @param registrationIds the registrations whose refused renewals log the user out
	 * @param logoutHandlers what ends the local session, in order
	 * @param logoutSuccessHandler what ends the provider's session and answers the request
	 */
	public LoginRefreshFailureLogoutFilter(Set<String> registrationIds, List<LogoutHandler> logoutHandlers,
			LogoutSuccessHandler logoutSuccessHandler) {
		Assert.notNull(registrationIds, "registrationIds cannot be null");
		Assert.notNull(logoutHandlers, "logoutHandlers cannot be null");
		Assert.notNull(logoutSuccessHandler, "logoutSuccessHandler cannot be null");
		this.refusals = new RefusedLoginRenewals(registrationIds);
		this.logoutHandlers = List.copyOf(logoutHandlers);
		this.logoutSuccessHandler = logoutSuccessHandler;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			chain.doFilter(request, response);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			OAuth2AuthenticationToken user = this.refusals.userToLogOut(ex,
					SecurityContextHolder.getContext().getAuthentication());
			if (user == null || response.isCommitted()) {
				throw ex;
			}
			for (LogoutHandler handler : this.logoutHandlers) {
				handler.logout(request, response, user);
			}
			this.logoutSuccessHandler.onLogoutSuccess(request, response, user);
		}
	}

}
