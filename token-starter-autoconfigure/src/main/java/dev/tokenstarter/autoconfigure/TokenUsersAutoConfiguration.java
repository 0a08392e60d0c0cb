package dev.tokenstarter.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.user.ReactiveUserTokens;
import dev.tokenstarter.user.SignedInUsers;
import dev.tokenstarter.user.UserTokens;

/**
 * {@link ReactiveUserTokens} and {@link UserTokens}: users signing in to password-grant providers with their own
 * credentials, on the engine's store, lock and near cache.
 */
@AutoConfiguration(after = TokenEngineAutoConfiguration.class)
@ConditionalOnBean({ TokenManager.class, SignedInUsers.class })
public final class TokenUsersAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReactiveUserTokens reactiveUserTokens(TokenManager tokenManager, TokenClientRegistrationRepository registrations,
			SignedInUsers signedInUsers) {
		return new ReactiveUserTokens(tokenManager, registrations, signedInUsers);
	}

	@Bean
	@ConditionalOnMissingBean
	UserTokens userTokens(ReactiveUserTokens reactiveUserTokens) {
		return new UserTokens(reactiveUserTokens);
	}

}
