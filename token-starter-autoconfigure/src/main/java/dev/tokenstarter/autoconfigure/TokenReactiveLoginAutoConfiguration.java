package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.client.oidc.web.server.logout.OidcClientInitiatedServerLogoutSuccessHandler;
import org.springframework.security.web.server.authentication.logout.SecurityContextServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.ServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.WebSessionServerLogoutHandler;

import dev.tokenstarter.client.LoginRefreshFailureLogoutWebFilter;
import dev.tokenstarter.client.LoginSessionServerLogoutHandler;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.engine.TokenManager;

/**
 * Users' login sessions on the reactive stack: the {@link LoginSessionServerLogoutHandler} that WebFlux
 * applications add to Spring Security's logout, and the logout on a refused renewal for the registrations with
 * {@code token.logins.<id>.on-refresh-failure: logout}. (The store's face for Spring's WebFlux login is in
 * {@link TokenStoreConfigurations}, which must be in place before Spring Boot's.)
 */
@AutoConfiguration(after = TokenEngineAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(ServerLogoutHandler.class)
@ConditionalOnBean(TokenManager.class)
public final class TokenReactiveLoginAutoConfiguration {

	/** How long a logout waits for the renewal lock, the revocation at the provider and the store. */
	private static final Duration LOGOUT_TIMEOUT = Duration.ofSeconds(30);

	@Bean
	@ConditionalOnMissingBean
	LoginSessionServerLogoutHandler tokenLoginSessionServerLogoutHandler(TokenManager tokenManager) {
		return new LoginSessionServerLogoutHandler(tokenManager, LOGOUT_TIMEOUT);
	}

	/**
	 * Logs users out when the provider refuses to renew their login session: a customizer that Spring Security
	 * applies to every {@code ServerHttpSecurity}, placing the filter right after Spring's redirect to the
	 * authorization endpoint (at {@link SecurityWebFiltersOrder#HTTP_BASIC}), so it sees the failure first and
	 * while the signed-in user is still known. Not a filter bean: Spring Boot would also register that in the
	 * web handler, outside the security chain and before the user is known. The local session ends as Spring's
	 * own logout ends it (the security context, then the web session); the provider's session ends with
	 * RP-initiated logout, through the engine's registration repository, which also serves the application's.
	 *
	 * <p>The security context is removed from the repository the chain keeps it in, which may be the
	 * application's own ({@code http.securityContextRepository(...)}, say one without a web session). Spring
	 * Security offers no way to read that repository: its logout's own handler is told about it when the chain
	 * is built, after every customizer ran. So the filter uses that very handler, taken from the logout's
	 * handlers; this customizer runs first (highest precedence), when Spring's default logout is all there is, so
	 * that reaching for it never turns on a logout another customizer turned off. A chain whose logout the
	 * application turns off leaves the handler to its default, the web session's repository.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ServerHttpSecurity.class, OidcClientInitiatedServerLogoutSuccessHandler.class })
	@Conditional(RefreshFailureLogouts.Condition.class)
	static class LogoutOnRefreshFailure {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		Customizer<ServerHttpSecurity> tokenLoginRefreshFailureServerLogout(TokenProperties properties,
				TokenClientRegistrationRepository registrations, LoginSessionServerLogoutHandler loginSessions) {
			RefreshFailureLogouts logouts = RefreshFailureLogouts.of(properties, registrations);
			OidcClientInitiatedServerLogoutSuccessHandler endProviderSession = new OidcClientInitiatedServerLogoutSuccessHandler(
					registrations);
			endProviderSession.setPostLogoutRedirectUri(logouts.postLogoutRedirectUri());
			return (http) -> {
				LoginRefreshFailureLogoutWebFilter filter = new LoginRefreshFailureLogoutWebFilter(
						logouts.registrationIds(),
						List.of(loginSessions, securityContextLogout(http), new WebSessionServerLogoutHandler()),
						endProviderSession);
				http.addFilterAfter(filter, SecurityWebFiltersOrder.HTTP_BASIC);
			};
		}

		/**
		 * Returns the handler of the chain's logout that removes the security context: Spring Security points it
		 * at the chain's repository when it builds the chain.
		 */
		private static ServerLogoutHandler securityContextLogout(ServerHttpSecurity http) {
			AtomicReference<@Nullable ServerLogoutHandler> found = new AtomicReference<>();
			http.logout((logout) -> logout.logoutHandler((handlers) -> handlers.stream()
				.filter(SecurityContextServerLogoutHandler.class::isInstance)
				.findFirst()
				.ifPresent(found::set)));
			ServerLogoutHandler handler = found.get();
			return (handler != null) ? handler : new SecurityContextServerLogoutHandler();
		}

	}

}
