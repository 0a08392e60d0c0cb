package dev.tokenstarter.autoconfigure;

import java.time.Clock;

import org.redisson.api.RedissonClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.web.server.AuthenticatedPrincipalServerOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.server.ServerOAuth2AuthorizedClientRepository;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.engine.StoredTokenListener;
import dev.tokenstarter.store.BlockingAuthorizedClientService;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.store.RedisAvailability;
import dev.tokenstarter.store.RedisEntryCodec;
import dev.tokenstarter.store.RedisKeys;
import dev.tokenstarter.store.ReplacingAuthorizedClientService;

/**
 * The authorized-client store, reactive and blocking: imported by {@link TokenEngineAutoConfiguration}, after
 * Spring Boot's OAuth2 client auto-configurations, and as {@link AheadOfBoot} by
 * {@link TokenOAuth2ClientAutoConfiguration}, before them, when Boot would build its in-memory services. Each bean
 * backs off when one of its type is defined already, so the first defines it.
 */
final class TokenStoreConfigurations {

	private TokenStoreConfigurations() {
	}

	/**
	 * Authorized clients in Redis, the rest of fleet mode being in {@link TokenRedisAutoConfiguration}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RedissonClient.class, DataRedisConnectionDetails.class })
	@Conditional(OnRedisTokenStoreCondition.class)
	static class Redis {

		@Bean
		@ConditionalOnMissingBean(ReactiveOAuth2AuthorizedClientService.class)
		RedisAuthorizedClientService tokenAuthorizedClientService(RedissonClient redisson, RedisEntryCodec entries,
				RedisKeys keys, RedisAvailability availability, TokenProperties properties,
				ObjectProvider<Clock> clock) {
			TokenProperties.Redis redis = properties.getStore().getRedis();
			return new RedisAuthorizedClientService(redisson.reactive(), entries, keys, availability,
					TokenRedisAutoConfiguration.instanceId(redisson), redis.getTimeout(),
					redis.getRefreshTokenTimeToLive(), maxVersions(properties), properties.getKeys().getIdleTimeout(),
					clock.getIfAvailable(Clock::systemUTC));
		}

		/**
		 * Room for the version of every key the engine may hold, and for the users Spring Security's login path
		 * reads besides.
		 */
		private static long maxVersions(TokenProperties properties) {
			return Math.max(1_000, 2 * properties.getKeys().getMaxHeld());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InMemory {

		@Bean
		@ConditionalOnMissingBean(ReactiveOAuth2AuthorizedClientService.class)
		InMemoryReactiveOAuth2AuthorizedClientService tokenAuthorizedClientService(
				TokenClientRegistrationRepository registrations) {
			return new InMemoryReactiveOAuth2AuthorizedClientService(registrations);
		}

	}

	/**
	 * The store's blocking face, so Spring Security's servlet components share the engine's store.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Blocking {

		@Bean
		@ConditionalOnMissingBean(OAuth2AuthorizedClientService.class)
		BlockingAuthorizedClientService tokenBlockingAuthorizedClientService(ReactiveOAuth2AuthorizedClientService store,
				TokenProperties properties, ObjectProvider<StoredTokenListener> engine) {
			// Room for a command and its retries against Redis; an in-memory store answers at once anyway.
			BlockingAuthorizedClientService service = new BlockingAuthorizedClientService(store,
					properties.getStore().getRedis().getTimeout().multipliedBy(3));
			service.setChangeListener((registrationId, principal) -> engine
				.ifAvailable((listener) -> listener.forget(registrationId, principal)));
			return service;
		}

	}

	/**
	 * The store's face for Spring Security's WebFlux login and OAuth2 client filters, in place of the repository
	 * Spring Boot (or Spring Security, without Boot's) would build on the store itself: their saves replace the
	 * user's entry and are told to the engine, as the blocking face's are.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(ServerOAuth2AuthorizedClientRepository.class)
	static class ServerRepository {

		@Bean
		@ConditionalOnMissingBean(ServerOAuth2AuthorizedClientRepository.class)
		AuthenticatedPrincipalServerOAuth2AuthorizedClientRepository tokenServerAuthorizedClientRepository(
				ReactiveOAuth2AuthorizedClientService store, ObjectProvider<StoredTokenListener> engine) {
			return new AuthenticatedPrincipalServerOAuth2AuthorizedClientRepository(
					new ReplacingAuthorizedClientService(store, (registrationId, principal) -> engine
						.ifAvailable((listener) -> listener.forget(registrationId, principal))));
		}

	}

	/**
	 * The same stores, imported by {@link TokenOAuth2ClientAutoConfiguration} alone. A configuration two classes
	 * import is registered where the first puts it unless both are skipped, and whether that one is (an
	 * application's own registration repository) is known only as beans are registered: shared, the stores would
	 * stand ahead of Boot's even when Boot builds none, and Boot would switch on OAuth2 login for them.
	 */
	static final class AheadOfBoot {

		private AheadOfBoot() {
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass({ RedissonClient.class, DataRedisConnectionDetails.class })
		@Conditional(OnRedisTokenStoreCondition.class)
		static class Redis extends TokenStoreConfigurations.Redis {

		}

		@Configuration(proxyBeanMethods = false)
		static class InMemory extends TokenStoreConfigurations.InMemory {

		}

		@Configuration(proxyBeanMethods = false)
		static class Blocking extends TokenStoreConfigurations.Blocking {

		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
		@ConditionalOnClass(ServerOAuth2AuthorizedClientRepository.class)
		static class ServerRepository extends TokenStoreConfigurations.ServerRepository {

		}

	}

}
