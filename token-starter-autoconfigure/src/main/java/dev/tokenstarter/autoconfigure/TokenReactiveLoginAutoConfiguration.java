package dev.tokenstarter.autoconfigure;

import java.time.Duration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.web.server.authentication.logout.ServerLogoutHandler;

import dev.tokenstarter.client.LoginSessionServerLogoutHandler;
import dev.tokenstarter.engine.TokenManager;

/**
 * Users' login sessions on the reactive stack: the {@link LoginSessionServerLogoutHandler} that WebFlux
 * applications add to Spring Security's logout. (The store's face for Spring's WebFlux login is in
 * {@link TokenStoreConfigurations}, which must be in place before Spring Boot's.)
 */
@AutoConfiguration(after = TokenEngineAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(ServerLogoutHandler.class)
@ConditionalOnBean(TokenManager.class)
public class TokenReactiveLoginAutoConfiguration {

	/** How long a logout waits for the renewal lock, the revocation at the provider and the store. */
	private static final Duration LOGOUT_TIMEOUT = Duration.ofSeconds(30);

	@Bean
	@ConditionalOnMissingBean
	LoginSessionServerLogoutHandler tokenLoginSessionServerLogoutHandler(TokenManager tokenManager) {
		return new LoginSessionServerLogoutHandler(tokenManager, LOGOUT_TIMEOUT);
	}

}
