package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.function.Consumer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.client.OAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;

import dev.tokenstarter.client.LoginSessionLogoutHandler;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.engine.TokenAuthorizationFailureHandler;
import dev.tokenstarter.engine.TokenAuthorizedClientManager;
import dev.tokenstarter.engine.TokenManager;

/**
 * The engine's blocking face for Spring Security's servlet components: a {@link TokenAuthorizedClientManager} as
 * the application's {@link OAuth2AuthorizedClientManager} (Spring Security then registers no default of its own,
 * and {@code @RegisteredOAuth2AuthorizedClient} uses this one), and the {@link TokenAuthorizationFailureHandler}
 * to give Spring's {@code OAuth2ClientHttpRequestInterceptor}. Only with the Servlet API, which Spring Security's
 * servlet OAuth2 client components need. Runs after Spring Boot's servlet OAuth2 client configuration, whose
 * authorized-client repository the manager of the other registrations uses.
 */
@AutoConfiguration(after = TokenEngineAutoConfiguration.class,
		afterName = "org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration")
@ConditionalOnClass(name = "jakarta.servlet.http.HttpServletRequest")
@ConditionalOnBean(TokenManager.class)
public final class TokenAuthorizedClientManagerAutoConfiguration {

	/** How long a logout waits for the renewal lock, the revocation at the provider and the store. */
	private static final Duration LOGOUT_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * The manager. Registrations the engine does not serve go to Spring Security's default manager when the
	 * application has what that needs (one registration repository and one authorized-client repository, as
	 * Spring Boot defines for {@code spring.security.oauth2.client.registration.*}); otherwise there are none
	 * to serve, and asking for one fails as it would with Spring Security alone.
	 */
	@Bean
	@ConditionalOnMissingBean(OAuth2AuthorizedClientManager.class)
	TokenAuthorizedClientManager tokenAuthorizedClientManager(TokenManager tokenManager,
			TokenClientRegistrationRepository registrations,
			ObjectProvider<ClientRegistrationRepository> clientRegistrations,
			ObjectProvider<OAuth2AuthorizedClientRepository> authorizedClients,
			ObjectProvider<OAuth2AuthorizedClientProvider> providers,
			ObjectProvider<OAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest>> refreshTokenClient,
			ObjectProvider<OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest>> clientCredentialsClient,
			ObjectProvider<Consumer<DefaultOAuth2AuthorizedClientManager>> customizer,
			ApplicationEventPublisher events) {
		ClientRegistrationRepository securityRegistrations = clientRegistrations.getIfUnique();
		OAuth2AuthorizedClientRepository securityClients = authorizedClients.getIfUnique();
		OAuth2AuthorizedClientManager others = (securityRegistrations != null && securityClients != null)
				? SpringSecurityAuthorizedClientManagers.standard(securityRegistrations, securityClients,
						providers.orderedStream().toList(), refreshTokenClient.getIfUnique(),
						clientCredentialsClient.getIfUnique(), customizer.getIfUnique(), events)
				: (request) -> {
					throw new IllegalArgumentException("Could not find ClientRegistration with id '"
							+ request.getClientRegistrationId() + "'");
				};
		return new TokenAuthorizedClientManager(tokenManager, registrations, others);
	}

	/**
	 * The failure handler. Other registrations' failures go where Spring Security's own handlers would take them:
	 * the authorized-client repository, or the authorized-client service.
	 */
	@Bean
	@ConditionalOnBean(TokenAuthorizedClientManager.class)
	@ConditionalOnMissingBean(OAuth2AuthorizationFailureHandler.class)
	TokenAuthorizationFailureHandler tokenAuthorizationFailureHandler(TokenAuthorizedClientManager manager,
			ObjectProvider<OAuth2AuthorizedClientRepository> authorizedClients,
			OAuth2AuthorizedClientService authorizedClientService) {
		OAuth2AuthorizedClientRepository repository = authorizedClients.getIfUnique();
		return new TokenAuthorizationFailureHandler(manager,
				(repository != null) ? OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(repository)
						: OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(authorizedClientService));
	}

	/**
	 * Ends users' login sessions at logout (revocation at the provider, removal from the store), once the
	 * application adds it to its logout configuration.
	 */
	@Bean
	@ConditionalOnMissingBean
	LoginSessionLogoutHandler tokenLoginSessionLogoutHandler(TokenManager tokenManager) {
		return new LoginSessionLogoutHandler(tokenManager, LOGOUT_TIMEOUT);
	}

	/**
	 * Logs users out when the provider refuses to renew their login session, for the registrations with
	 * {@code token.logins.<id>.on-refresh-failure: logout}: a customizer that Spring Security applies to every
	 * {@code HttpSecurity}, placing the filter right after Spring's redirect to the authorization endpoint, so it
	 * sees the failure first and while the signed-in user is still known. Not a filter bean: Spring Boot would
	 * also register that in the servlet container, outside the chain. The filter removes the security context from
	 * the chain's repository (see {@link RefreshFailureLogoutConfigurer}).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass({ HttpSecurity.class, OidcClientInitiatedLogoutSuccessHandler.class })
	@Conditional(RefreshFailureLogouts.Condition.class)
	static class LogoutOnRefreshFailure {

		@Bean
		Customizer<HttpSecurity> tokenLoginRefreshFailureLogout(TokenProperties properties,
				TokenClientRegistrationRepository registrations,
				ObjectProvider<ClientRegistrationRepository> clientRegistrations,
				LoginSessionLogoutHandler loginSessions) {
			RefreshFailureLogouts logouts = RefreshFailureLogouts.of(properties, registrations);
			OidcClientInitiatedLogoutSuccessHandler endProviderSession = new OidcClientInitiatedLogoutSuccessHandler(
					clientRegistrations.getObject());
			endProviderSession.setPostLogoutRedirectUri(logouts.postLogoutRedirectUri());
			return (http) -> http.with(
					new RefreshFailureLogoutConfigurer(logouts.registrationIds(), loginSessions, endProviderSession),
					Customizer.withDefaults());
		}

	}

}
