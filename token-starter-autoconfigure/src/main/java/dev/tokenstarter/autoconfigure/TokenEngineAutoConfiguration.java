package dev.tokenstarter.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Fallback;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.IssuerMetadataReader;
import dev.tokenstarter.config.ProviderClientRegistrations;
import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.engine.TokenAcquisitionOnStartup;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.engine.TokenRefreshScheduler;
import dev.tokenstarter.engine.TokenRevocationOnShutdown;
import dev.tokenstarter.grant.ConfiguredUserPasswordCredentialsResolver;
import dev.tokenstarter.grant.DpopTokenBindings;
import dev.tokenstarter.grant.JwtBearerAssertions;
import dev.tokenstarter.grant.PasswordCredentialsResolver;
import dev.tokenstarter.grant.ProviderConnectors;
import dev.tokenstarter.grant.ProviderIssuerMetadata;
import dev.tokenstarter.grant.PropertiesPasswordCredentialsResolver;
import dev.tokenstarter.grant.TokenGrants;
import dev.tokenstarter.lock.LocalTokenLock;
import dev.tokenstarter.lock.TokenLock;
import dev.tokenstarter.observe.CompositeTokenObserver;
import dev.tokenstarter.observe.LoggingTokenObserver;
import dev.tokenstarter.ssl.ClientAssertionKeys;
import dev.tokenstarter.ssl.DpopKeyStore;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.ssl.DpopProofs;
import dev.tokenstarter.ssl.ProviderSslContexts;
import dev.tokenstarter.store.KeyCheckingAuthorizedClientService;
import dev.tokenstarter.store.PlaintextTokenCipher;
import dev.tokenstarter.store.SharedTokenStore;
import dev.tokenstarter.store.TokenCipher;
import dev.tokenstarter.user.SignedInUsers;
import dev.tokenstarter.user.UserPasswordCredentialsResolver;

/**
 * The token engine: provider registrations, the authorized-client store (in memory unless another is
 * configured), the renewal lock (local unless another is configured), the grants (with the password grant's
 * credentials and the providers' SSL bundles), the {@link TokenManager}, its background renewal and revocation at
 * shutdown. Runs after Spring Boot's OAuth2 client auto-configurations, web security included: when Boot has no
 * registrations of its own to serve, the store defined here must not make Boot switch on OAuth2 login (it does
 * for any authorized-client service it finds). When it has (its registration properties, or a registration
 * repository of the application's), {@link TokenOAuth2ClientAutoConfiguration} has already put the store, and for
 * the properties the registrations, in place of Boot's.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration",
		"org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration",
		"org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration",
		"org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientWebSecurityAutoConfiguration",
		"org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration" })
@ConditionalOnClass({ ClientRegistration.class, WebClient.class })
@EnableConfigurationProperties(TokenProperties.class)
@Import({ TokenStoreConfigurations.Redis.class, TokenStoreConfigurations.InMemory.class,
		TokenStoreConfigurations.Blocking.class, TokenStoreConfigurations.ServerRepository.class })
public final class TokenEngineAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TokenSettings tokenSettings(TokenProperties properties, Environment environment) {
		SecurityRegistrationChecks.refuse(properties, environment);
		return new TokenSettings(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	@Fallback
	TokenClientRegistrationRepository tokenClientRegistrationRepository(TokenProperties properties,
			IssuerMetadataReader issuerMetadata, ObjectProvider<ReactiveClientRegistrationRepository> reactiveRepositories,
			ObjectProvider<ClientRegistrationRepository> repositories) {
		return new TokenClientRegistrationRepository(ProviderClientRegistrations.of(properties),
				ProviderClientRegistrations.discovered(properties, issuerMetadata), reactiveRepositories, repositories);
	}

	@Bean
	@ConditionalOnMissingBean
	IssuerMetadataReader tokenIssuerMetadataReader(TokenSettings settings, ProviderConnectors connectors) {
		return new ProviderIssuerMetadata(settings, connectors);
	}

	@Bean
	@ConditionalOnMissingBean
	ProviderConnectors tokenProviderConnectors(TokenSettings settings, ProviderSslContexts sslContexts) {
		return new ProviderConnectors(settings, sslContexts);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenLock tokenLock(Environment environment) {
		warnOfRedisSettingsWithoutRedis(environment);
		return new LocalTokenLock();
	}

	/**
	 * Settings of the Redis store on an instance that keeps its tokens in memory take no effect, and say that the
	 * application meant to join a fleet: most often its Redis connection is one the starter does not look for
	 * (a {@code RedissonClient} bean of its own, without {@code token.store.type=redis}). Each instance then
	 * obtains its own tokens, which a provider that keeps one session per client answers by ending the others'.
	 */
	private static void warnOfRedisSettingsWithoutRedis(Environment environment) {
		ConfigurationPropertyName redisSettings = ConfigurationPropertyName.of("token.store.redis");
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source.containsDescendantOf(redisSettings) == ConfigurationPropertyState.PRESENT) {
				LogFactory.getLog(TokenEngineAutoConfiguration.class)
					.warn("token.store.redis.* is set, but this instance keeps its tokens in its own memory: no Redis "
							+ "connection was found (spring.data.redis.*, or a connection details bean), or "
							+ "token.store.type is memory. Each instance obtains its own tokens. Set "
							+ "token.store.type=redis to share them through the application's Redis connection");
				return;
			}
		}
	}

	@Bean
	@ConditionalOnMissingBean
	PasswordCredentialsResolver tokenPasswordCredentialsResolver(TokenSettings settings) {
		return new PropertiesPasswordCredentialsResolver(settings);
	}

	@Bean
	@ConditionalOnMissingBean
	ProviderSslContexts tokenProviderSslContexts(TokenSettings settings, ObjectProvider<SslBundles> sslBundles,
			ObjectProvider<Clock> clock) {
		return ProviderSslContexts.of(settings, sslBundles.getIfAvailable(), clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	ClientAssertionKeys tokenClientAssertionKeys(TokenSettings settings, ObjectProvider<SslBundles> sslBundles,
			ResourceLoader resourceLoader) {
		return ClientAssertionKeys.of(settings, sslBundles.getIfAvailable(), resourceLoader);
	}

	@Bean
	@ConditionalOnMissingBean
	DpopKeys tokenDpopKeys(TokenSettings settings, ObjectProvider<DpopKeyStore> fleetKeys,
			ObjectProvider<TokenCipher> cipher, ObjectProvider<Clock> clock) {
		DpopKeyStore store = fleetKeys.getIfAvailable();
		if (store != null && cipher.getIfAvailable() instanceof PlaintextTokenCipher) {
			// The fleet's key pair is sealed in Redis like tokens: unsealed, its private key would be readable there.
			settings.providers().stream().filter(ProviderSettings::isDpop).findFirst().ifPresent((provider) -> {
				throw new TokenConfigurationException(provider.dpop().property() + ".enabled",
						"cannot be true with token.store.redis.encryption=false: the DPoP key pair the fleet shares "
								+ "through Redis would be stored there unencrypted");
			});
		}
		return new DpopKeys(settings, store, clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	DpopProofs tokenDpopProofs(DpopKeys keys, ObjectProvider<Clock> clock) {
		return new DpopProofs(keys, clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	TokenGrants tokenGrants(TokenSettings settings, ObjectProvider<Clock> clock,
			PasswordCredentialsResolver passwordCredentials, SignedInUsers signedInUsers,
			ProviderConnectors connectors, ClientAssertionKeys assertionKeys, DpopKeys dpopKeys,
			DpopProofs dpopProofs, ObjectProvider<ObservationRegistry> observations,
			ObjectProvider<JwtBearerAssertions> jwtBearerAssertions) {
		// Users' keys get the credentials they signed in with, the application key the configured user's.
		PasswordCredentialsResolver credentials = new UserPasswordCredentialsResolver(signedInUsers,
				new ConfiguredUserPasswordCredentialsResolver(passwordCredentials, settings::username));
		TokenGrants grants = new TokenGrants(settings, clock.getIfAvailable(Clock::systemUTC), credentials,
				connectors, assertionKeys, dpopKeys, dpopProofs,
				observations.getIfAvailable(() -> ObservationRegistry.NOOP));
		jwtBearerAssertions.ifAvailable(grants::setJwtBearerAssertions);
		return grants;
	}

	@Bean
	@ConditionalOnMissingBean
	SignedInUsers tokenSignedInUsers(TokenSettings settings) {
		// As many users as keys the engine holds: more credentials than tokens in memory would be of no use.
		return new SignedInUsers(settings.keys().maxHeld());
	}

	@Bean
	@ConditionalOnMissingBean
	LoggingTokenObserver tokenLoggingObserver(ObjectProvider<Clock> clock) {
		return new LoggingTokenObserver(clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	TokenManager tokenManager(TokenClientRegistrationRepository registrations,
			ReactiveOAuth2AuthorizedClientService store, TokenLock lock, TokenGrants grants, TokenSettings settings,
			ObjectProvider<Clock> clock, ObjectProvider<TokenObserver> observers, DpopKeys dpopKeys) {
		return new TokenManager(registrations, engineStore(store, settings, dpopKeys), lock, grants, settings,
				clock.getIfAvailable(Clock::systemUTC), CompositeTokenObserver.of(observers.orderedStream().toList()));
	}

	/**
	 * The store as the engine reads it: one that is not the fleet's may hand back DPoP-bound tokens whose key this
	 * instance no longer has (a store that outlives a restart), which must not be sent. The fleet's store checks
	 * keys itself.
	 */
	private static ReactiveOAuth2AuthorizedClientService engineStore(ReactiveOAuth2AuthorizedClientService store,
			TokenSettings settings, DpopKeys dpopKeys) {
		boolean dpop = settings.providers().stream().anyMatch(ProviderSettings::isDpop);
		return (dpop && !(store instanceof SharedTokenStore))
				? new KeyCheckingAuthorizedClientService(store, new DpopTokenBindings(dpopKeys)) : store;
	}

	@Bean
	@ConditionalOnMissingBean
	TokenRevocationOnShutdown tokenRevocationOnShutdown(TokenManager tokenManager, TokenSettings settings,
			ReactiveOAuth2AuthorizedClientService store) {
		List<String> providers = settings.providers()
			.stream()
			.filter(ProviderSettings::revokeOnShutdown)
			.map(ProviderSettings::registrationId)
			.toList();
		if (store instanceof SharedTokenStore && !providers.isEmpty()) {
			// One instance stopping must not revoke the token the rest of the fleet still uses.
			LogFactory.getLog(TokenEngineAutoConfiguration.class)
				.warn("revoke-on-shutdown is ignored for " + providers + ": their tokens are shared by the fleet");
			providers = List.of();
		}
		Duration timeout = providers.stream()
			.map((name) -> settings.provider(name).retry().requestTimeout())
			.max(Duration::compareTo)
			.orElse(Duration.ZERO);
		return new TokenRevocationOnShutdown(tokenManager, providers, timeout);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenAcquisitionOnStartup tokenAcquisitionOnStartup(TokenManager tokenManager, TokenSettings settings) {
		return new TokenAcquisitionOnStartup(tokenManager, settings,
				settings.providers().stream().map(ProviderSettings::registrationId).toList());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "token.scheduler.enabled", matchIfMissing = true)
	TokenRefreshScheduler tokenRefreshScheduler(TokenManager tokenManager, TokenProperties properties) {
		return new TokenRefreshScheduler(tokenManager, properties.getScheduler().getInterval());
	}

}
