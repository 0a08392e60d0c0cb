package dev.tokenstarter.engine;

import java.util.Map;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.util.Assert;

/**
 * What Spring Security's {@code OAuth2ClientHttpRequestInterceptor} (and other users of a
 * {@link TokenAuthorizedClientManager}) should be told to do when an API rejects a token: for a registration the
 * engine serves, an {@code invalid_token} error (a 401) makes the engine drop the rejected token and renew it, so
 * the next call sends a new one. Spring's own handlers remove the authorized client from a repository or service,
 * where the engine's tokens are not held under the caller's principal: they would leave the rejected token in
 * use. Other errors of a served registration change nothing (a 403's {@code insufficient_scope} is not cured by a
 * new token of the same scopes), and every failure of another registration goes to the delegate, Spring's
 * handler for those.
 */
public final class TokenAuthorizationFailureHandler implements OAuth2AuthorizationFailureHandler {

	private final TokenAuthorizedClientManager manager;

	private final OAuth2AuthorizationFailureHandler delegate;

	/**
	 * Creates the handler.
	 * @param manager the manager that handed out the tokens
	 * @param delegate the handler of the registrations the engine does not serve
	 */
	public TokenAuthorizationFailureHandler(TokenAuthorizedClientManager manager,
			OAuth2AuthorizationFailureHandler delegate) {
		Assert.notNull(manager, "manager cannot be null");
		Assert.notNull(delegate, "delegate cannot be null");
		this.manager = manager;
		this.delegate = delegate;
	}

	@Override
	public void onAuthorizationFailure(OAuth2AuthorizationException authorizationException, Authentication principal,
			Map<String, Object> attributes) {
		if (!(authorizationException instanceof ClientAuthorizationException clientException)
				|| !this.manager.serves(clientException.getClientRegistrationId())) {
			this.delegate.onAuthorizationFailure(authorizationException, principal, attributes);
			return;
		}
		if (OAuth2ErrorCodes.INVALID_TOKEN.equals(clientException.getError().getErrorCode())) {
			this.manager.rejected(clientException.getClientRegistrationId(), principal);
		}
	}

}
