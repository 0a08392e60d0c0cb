package dev.tokenstarter.client;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.security.web.server.authentication.logout.ServerLogoutHandler;
import org.springframework.util.Assert;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenManager;

/**
 * The reactive stack's {@link LoginSessionLogoutHandler}: ends a user's login session at logout by revoking its
 * refresh token (then its access token) at the provider (RFC 7009) and removing the user's authorized client from
 * the store, which every instance then forgets. Add it to Spring Security's WebFlux logout ahead of the handlers
 * that clear the session; the logout success handler (Spring's
 * {@code OidcClientInitiatedServerLogoutSuccessHandler}) runs after it and still ends the provider's session.
 */
public final class LoginSessionServerLogoutHandler implements ServerLogoutHandler {

	private static final Log logger = LogFactory.getLog(LoginSessionServerLogoutHandler.class);

	private final TokenManager tokens;

	private final Duration timeout;

	/**
	 * Creates the handler.
	 * @param tokens the engine
	 * @param timeout how long the logout waits for the revocation and the store
	 */
	public LoginSessionServerLogoutHandler(TokenManager tokens, Duration timeout) {
		Assert.notNull(tokens, "tokens cannot be null");
		Assert.notNull(timeout, "timeout cannot be null");
		this.tokens = tokens;
		this.timeout = timeout;
	}

	@Override
	public Mono<Void> logout(WebFilterExchange exchange, @Nullable Authentication authentication) {
		if (!(authentication instanceof OAuth2AuthenticationToken login)) {
			return Mono.empty();
		}
		TokenKey user = TokenKey.forProvider(login.getAuthorizedClientRegistrationId())
			.principal(login.getName())
			.build();
		// Spring Security's own handlers, which end the user's session here, run after this one, and not at all
		// once one has failed: a store or provider that fails must not keep the user logged in.
		// The wait is bounded, not the work: a revocation that outlasts it still removes the session.
		return Mono.defer(() -> Mono.fromFuture(this.tokens.revoke(user).toFuture(), true))
			.timeout(this.timeout)
			.onErrorResume((ex) -> {
				logger.warn("Could not end the login session of provider '"
						+ login.getAuthorizedClientRegistrationId()
						+ "' in the token store at logout; the user is logged out here all the same: " + ex);
				return Mono.empty();
			});
	}

}
