package dev.tokenstarter.client;

import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.util.Assert;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;

/**
 * Ends a user's login session at logout: revokes its refresh token (then its access token) at the provider
 * (RFC 7009, the provider's {@code revoke-uri} or the {@code revocation_endpoint} of its discovery document) and
 * removes the user's authorized client from the store, which every instance then forgets. Add it to Spring
 * Security's logout; it runs before the logout success handler, so Spring's
 * {@code OidcClientInitiatedLogoutSuccessHandler} still ends the session at the provider after it.
 */
public final class LoginSessionLogoutHandler implements LogoutHandler {

	private static final Log logger = LogFactory.getLog(LoginSessionLogoutHandler.class);

	private final TokenManager tokens;

	private final Duration timeout;

	/**
	 * Creates the handler.
	 * @param tokens the engine
	 * @param timeout how long the logout waits for the revocation and the store
	 */
	public LoginSessionLogoutHandler(TokenManager tokens, Duration timeout) {
		Assert.notNull(tokens, "tokens must not be null");
		Assert.notNull(timeout, "timeout must not be null");
		this.tokens = tokens;
		this.timeout = timeout;
	}

	@Override
	public void logout(HttpServletRequest request, HttpServletResponse response,
			@Nullable Authentication authentication) {
		if (authentication instanceof OAuth2AuthenticationToken login) {
			TokenKey user = TokenKey.forProvider(login.getAuthorizedClientRegistrationId())
				.principal(login.getName())
				.build();
			try {
				// The wait is bounded, not the work: a revocation that outlasts it still removes the session.
				Mono.fromFuture(this.tokens.revoke(user).toFuture(), true).block(this.timeout);
			}
			catch (RuntimeException ex) {
				// Spring Security's own handlers, which end the user's session here, run after this one, and not at
				// all once one has thrown: a store or provider that fails must not keep the user logged in.
				logger.warn("Could not end the login session of provider '" + login.getAuthorizedClientRegistrationId()
						+ "' in the token store at logout; the user is logged out here all the same: " + ex);
			}
		}
	}

}
