package dev.tokenstarter.sample.user;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/**
 * The sample's user part: the login page signs a user in to the password-grant provider with
 * {@code ReactiveUserTokens}, the status page shows the user's own token card, and the user calls the provider's
 * API as themselves and signs out.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DemoUserProperties.class)
class UserConfiguration {

}
