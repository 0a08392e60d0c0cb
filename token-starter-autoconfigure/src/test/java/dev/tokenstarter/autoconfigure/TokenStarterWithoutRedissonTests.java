package dev.tokenstarter.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.lock.LocalTokenLock;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.test.FleetTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an application gets from {@code token-starter} alone, which brings neither Redisson nor a Spring Boot Redis
 * module: fleet mode's libraries come with {@code token-starter-redis} and {@code spring-boot-starter-data-redis}.
 */
class TokenStarterWithoutRedissonTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TokenPropertiesAutoConfiguration.class,
				TokenRedisAutoConfiguration.class, TokenRedisRequirementsAutoConfiguration.class,
				TokenOAuth2ClientAutoConfiguration.class, TokenEngineAutoConfiguration.class,
				TokenClientsAutoConfiguration.class, TokenMetricsAutoConfiguration.class,
				TokenActuatorAutoConfiguration.class))
		.withPropertyValues("token.providers.acme.token-uri=https://auth.example.com/token",
				"token.providers.acme.client-id=acme-id", "token.providers.acme.client-secret=acme-secret");

	@Test
	void theMemoryStoreStartsWithoutRedissonOrSpringBootRedis() {
		this.runner
			.withClassLoader(new FilteredClassLoader("org.redisson", "org.springframework.boot.data.redis",
					"org.springframework.data.redis", "io.lettuce"))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(TokenManager.class).hasSingleBean(TokenClients.class);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
					.isInstanceOf(InMemoryReactiveOAuth2AuthorizedClientService.class);
				assertThat(context.getBean(TokenLock.class)).isInstanceOf(LocalTokenLock.class);
			});
	}

	@Test
	void aRedisConnectionWithoutRedissonNamesTheFleetStarter() {
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1",
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY)
			.withClassLoader(new FilteredClassLoader("org.redisson"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("token.store.type")
				.hasMessageContaining("token-starter-redis"));
	}

	/**
	 * With lazy initialisation, a bean nothing depends on is never created: the check must still run at start-up.
	 */
	@Test
	void aRedisConnectionWithoutRedissonFailsStartUpUnderLazyInitialisationToo() {
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withInitializer((context) -> context
				.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
			.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1",
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY)
			.withClassLoader(new FilteredClassLoader("org.redisson"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("token-starter-redis"));
	}

}
