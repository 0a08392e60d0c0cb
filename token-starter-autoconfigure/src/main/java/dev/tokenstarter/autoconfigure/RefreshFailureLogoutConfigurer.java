package dev.tokenstarter.autoconfigure;

import java.util.List;
import java.util.Set;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.authentication.logout.LogoutSuccessHandler;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.util.Assert;

import dev.tokenstarter.client.LoginRefreshFailureLogoutFilter;

/**
 * Adds the {@link LoginRefreshFailureLogoutFilter} to a filter chain, right after Spring's redirect to the
 * authorization endpoint. A configurer rather than a plain customizer because the security context must be removed
 * from the repository the chain keeps it in, which may be the application's own
 * ({@code http.securityContext((context) -> context.securityContextRepository(...))}, say one without an HTTP
 * session): Spring Security knows it only once the application's configuration ran, when configurers are
 * configured, and its own logout reads it then, as this does.
 */
final class RefreshFailureLogoutConfigurer extends AbstractHttpConfigurer<RefreshFailureLogoutConfigurer, HttpSecurity> {

	private final Set<String> registrationIds;

	private final LogoutHandler loginSessions;

	private final LogoutSuccessHandler endProviderSession;

	/**
	 * @param registrationIds the registrations whose refused renewals log the user out
	 * @param loginSessions what ends the user's login sessions in the engine
	 * @param endProviderSession what ends the provider's session and answers the request
	 */
	RefreshFailureLogoutConfigurer(Set<String> registrationIds, LogoutHandler loginSessions,
			LogoutSuccessHandler endProviderSession) {
		Assert.notNull(registrationIds, "registrationIds cannot be null");
		Assert.notNull(loginSessions, "loginSessions cannot be null");
		Assert.notNull(endProviderSession, "endProviderSession cannot be null");
		this.registrationIds = registrationIds;
		this.loginSessions = loginSessions;
		this.endProviderSession = endProviderSession;
	}

	@Override
	public void configure(HttpSecurity http) {
		SecurityContextLogoutHandler securityContext = new SecurityContextLogoutHandler();
		securityContext.setSecurityContextHolderStrategy(getSecurityContextHolderStrategy());
		SecurityContextRepository repository = http.getSharedObject(SecurityContextRepository.class);
		// Without one of the application's, the handler's default is the HTTP session's, as for Spring's logout.
		if (repository != null) {
			securityContext.setSecurityContextRepository(repository);
		}
		http.addFilterAfter(new LoginRefreshFailureLogoutFilter(this.registrationIds,
				List.of(this.loginSessions, securityContext), this.endProviderSession),
				OAuth2AuthorizationRequestRedirectFilter.class);
	}

}
