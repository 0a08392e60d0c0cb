package dev.tokenstarter.autoconfigure;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.server.ServerOAuth2AuthorizedClientRepository;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.store.BlockingAuthorizedClientService;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.test.FleetTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with both {@code token.providers} and Spring Boot's
 * {@code spring.security.oauth2.client.registration.*} entries has one registration repository and one
 * authorized-client store, the engine's, serving both kinds of registration: reactive, servlet and non-web.
 */
class SpringSecurityRegistrationsTests {

	private static final AutoConfigurations BOOT_AND_ENGINE = AutoConfigurations.of(OAuth2ClientAutoConfiguration.class,
			ReactiveOAuth2ClientAutoConfiguration.class, TokenOAuth2ClientAutoConfiguration.class,
			TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class);

	private static final String[] BOTH_KINDS = { "token.providers.acme.token-uri=https://acme.example.com/token",
			"token.providers.acme.client-id=acme-id", "token.providers.acme.client-secret=acme-secret",
			"spring.security.oauth2.client.registration.legacy.provider=legacy",
			"spring.security.oauth2.client.registration.legacy.client-id=legacy-id",
			"spring.security.oauth2.client.registration.legacy.client-secret=legacy-secret",
			"spring.security.oauth2.client.registration.legacy.authorization-grant-type=client_credentials",
			"spring.security.oauth2.client.provider.legacy.token-uri=https://legacy.example.com/token",
			"token.scheduler.enabled=false" };

	@Test
	void reactiveApplicationHasOneRepositoryAndOneStoreServingBothKinds() {
		new ReactiveWebApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS)
			.run((context) -> {
				assertOneRepositoryServingBothKinds(context);
				assertThat(context).hasSingleBean(ReactiveOAuth2AuthorizedClientService.class);
				assertReactiveStoreKeepsBothKinds(context);
			});
	}

	@Test
	void servletApplicationHasOneStoreServingBothKinds() {
		new WebApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS)
			.run((context) -> {
				assertOneRepositoryServingBothKinds(context);
				assertThat(context).hasSingleBean(ClientRegistrationRepository.class)
					.hasSingleBean(ReactiveOAuth2AuthorizedClientService.class)
					.hasSingleBean(OAuth2AuthorizedClientService.class);
				assertThat(context.getBean(OAuth2AuthorizedClientService.class))
					.isInstanceOf(BlockingAuthorizedClientService.class);
				assertReactiveStoreKeepsBothKinds(context);
				assertBlockingStoreKeepsBothKinds(context);
			});
	}

	@Test
	void nonWebApplicationHasOneReactiveRepositoryAndOneStoreOfEachKindServingBothKinds() {
		new ApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE).withPropertyValues(BOTH_KINDS).run((context) -> {
			assertOneRepositoryServingBothKinds(context);
			assertThat(context).hasSingleBean(ReactiveOAuth2AuthorizedClientService.class)
				.hasSingleBean(OAuth2AuthorizedClientService.class);
			assertReactiveStoreKeepsBothKinds(context);
			assertBlockingStoreKeepsBothKinds(context);
		});
	}

	@Test
	void redisStoreIsTheStoreOfBothKinds() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class))
			.withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS)
			.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:1",
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY)
			.run((context) -> {
				assertOneRepositoryServingBothKinds(context);
				assertThat(context).hasSingleBean(ReactiveOAuth2AuthorizedClientService.class)
					.hasSingleBean(OAuth2AuthorizedClientService.class);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
					.isInstanceOf(RedisAuthorizedClientService.class);
			});
	}

	@Test
	void applicationsOwnReactiveRepositoryStaysTheOneInjectedByTypeAndIsServedByTheEngine() {
		ReactiveClientRegistrationRepository own = new InMemoryReactiveClientRegistrationRepository(
				registration("own"));
		new ReactiveWebApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS)
			.withBean("ownRepository", ReactiveClientRegistrationRepository.class, () -> own)
			.run((context) -> {
				assertThat(context.getBean(ReactiveClientRegistrationRepository.class)).isSameAs(own);
				assertThat(context.getBeanProvider(ReactiveClientRegistrationRepository.class).getIfUnique())
					.isSameAs(own);
				TokenClientRegistrationRepository engine = context.getBean(TokenClientRegistrationRepository.class);
				assertThat(engine.findByRegistrationId("acme").blockOptional()).isPresent();
				assertThat(engine.findByRegistrationId("own").blockOptional()).isPresent();
				assertThat(context).hasSingleBean(ReactiveOAuth2AuthorizedClientService.class);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
					.loadAuthorizedClient("acme", "someone")
					.blockOptional()).isEmpty();
			});
	}

	/**
	 * Spring Boot builds its in-memory stores whenever a registration repository exists, its properties or not: an
	 * application's own repository must not put them in place of the engine's, which would keep each instance's
	 * tokens to itself (and lose every token of {@code token.providers}, which Boot's store cannot look up).
	 */
	@Test
	void applicationsOwnReactiveRepositoryWithoutBootsPropertiesKeepsTheEnginesStore() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					TokenRedisAutoConfiguration.class))
			.withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS[0], BOTH_KINDS[1], BOTH_KINDS[2], "token.scheduler.enabled=false",
					"spring.data.redis.url=redis://127.0.0.1:1",
					"token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY)
			.withBean("ownRepository", ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration("own")))
			.run((context) -> {
				assertThat(context).hasSingleBean(ReactiveOAuth2AuthorizedClientService.class)
					.hasSingleBean(OAuth2AuthorizedClientService.class);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
					.isInstanceOf(RedisAuthorizedClientService.class);
			});
		new ReactiveWebApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS[0], BOTH_KINDS[1], BOTH_KINDS[2], "token.scheduler.enabled=false")
			.withBean("ownRepository", ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration("own")))
			.run((context) -> {
				ReactiveOAuth2AuthorizedClientService store = context
					.getBean(ReactiveOAuth2AuthorizedClientService.class);
				ClientRegistration acme = context.getBean(TokenClientRegistrationRepository.class)
					.findByRegistrationId("acme")
					.block();
				store.saveAuthorizedClient(authorizedClient(acme), new TestingAuthenticationToken("app", "")).block();
				assertThat(store.loadAuthorizedClient("acme", "app").blockOptional()).isPresent();
			});
	}

	@Test
	void applicationsOwnServletRepositoryWithoutBootsPropertiesKeepsTheEnginesStore() {
		new WebApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS[0], BOTH_KINDS[1], BOTH_KINDS[2], "token.scheduler.enabled=false")
			.withBean("ownRepository", ClientRegistrationRepository.class,
					() -> new InMemoryClientRegistrationRepository(registration("own")))
			.run((context) -> {
				assertThat(context).hasSingleBean(OAuth2AuthorizedClientService.class);
				assertThat(context.getBean(OAuth2AuthorizedClientService.class))
					.isInstanceOf(BlockingAuthorizedClientService.class);
				OAuth2AuthorizedClientService store = context.getBean(OAuth2AuthorizedClientService.class);
				ClientRegistration acme = context.getBean(TokenClientRegistrationRepository.class)
					.findByRegistrationId("acme")
					.block();
				store.saveAuthorizedClient(authorizedClient(acme), new TestingAuthenticationToken("app", ""));
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
					.loadAuthorizedClient("acme", "app")
					.blockOptional()).as("the engine's store holds it").isPresent();
			});
	}

	/**
	 * Spring Boot builds its stores only for a repository of the kind the application's type serves: a servlet
	 * application's own reactive repository (for a WebClient) gets none of Boot's, and so no store ahead of
	 * Boot's either, which would make Boot's web security switch on an OAuth2 login it has no blocking repository
	 * for.
	 */
	@Test
	void servletApplicationsOwnReactiveRepositoryLeavesBootsWebSecurityAsItWas() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(OAuth2ClientWebSecurityAutoConfiguration.class))
			.withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS[0], BOTH_KINDS[1], BOTH_KINDS[2], "token.scheduler.enabled=false")
			.withBean("ownRepository", ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration("own")))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(TokenOAuth2ClientAutoConfiguration.class)
					.doesNotHaveBean(SecurityFilterChain.class);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
					.isInstanceOf(InMemoryReactiveOAuth2AuthorizedClientService.class);
			});
	}

	@Test
	void applicationsOwnStoreReplacesBothBootsAndTheEngines() {
		ReactiveOAuth2AuthorizedClientService own = new InMemoryReactiveOAuth2AuthorizedClientService(
				new InMemoryReactiveClientRegistrationRepository(registration("own")));
		new ReactiveWebApplicationContextRunner().withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS)
			.withBean("ownStore", ReactiveOAuth2AuthorizedClientService.class, () -> own)
			.run((context) -> {
				assertThat(context).hasSingleBean(ReactiveOAuth2AuthorizedClientService.class);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)).isSameAs(own);
				assertOneRepositoryServingBothKinds(context);
			});
	}

	@Test
	void withoutSpringSecurityRegistrationsBootSwitchesOnNeitherItsBeansNorOAuth2Login() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ReactiveOAuth2ClientWebSecurityAutoConfiguration.class))
			.withConfiguration(BOOT_AND_ENGINE)
			.withPropertyValues(BOTH_KINDS[0], BOTH_KINDS[1], BOTH_KINDS[2])
			.run((context) -> {
				// The starter's own repository (the store's face for logins) is there; Boot's, and its filter
				// chain with oauth2Login(), are not.
				assertThat(context).hasNotFailed()
					.hasSingleBean(ReactiveClientRegistrationRepository.class)
					.hasSingleBean(ReactiveOAuth2AuthorizedClientService.class)
					.hasSingleBean(ServerOAuth2AuthorizedClientRepository.class)
					.hasBean("tokenServerAuthorizedClientRepository")
					.doesNotHaveBean(SecurityWebFilterChain.class);
				assertThat(context.getBean(ReactiveClientRegistrationRepository.class))
					.isInstanceOf(TokenClientRegistrationRepository.class);
			});
	}

	@Test
	void withoutBootsOAuth2ClientModuleTheEngineServesItsOwnRegistrations() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TokenOAuth2ClientAutoConfiguration.class,
					TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(OAuth2ClientProperties.class))
			.withPropertyValues(BOTH_KINDS)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(TokenOAuth2ClientAutoConfiguration.class)
					.hasSingleBean(ReactiveClientRegistrationRepository.class)
					.hasSingleBean(ReactiveOAuth2AuthorizedClientService.class);
				assertThat(context.getBean(TokenClientRegistrationRepository.class)
					.findByRegistrationId("acme")
					.blockOptional()).isPresent();
			});
	}

	private static void assertOneRepositoryServingBothKinds(ApplicationContext context) {
		assertThat(context.getBeanNamesForType(ReactiveClientRegistrationRepository.class)).hasSize(1);
		ReactiveClientRegistrationRepository repository = context.getBean(ReactiveClientRegistrationRepository.class);
		assertThat(repository).isInstanceOf(TokenClientRegistrationRepository.class);
		assertThat(repository.findByRegistrationId("acme").block().getClientId()).isEqualTo("acme-id");
		assertThat(repository.findByRegistrationId("legacy").block().getClientId()).isEqualTo("legacy-id");
	}

	private static void assertReactiveStoreKeepsBothKinds(ApplicationContext context) {
		ReactiveOAuth2AuthorizedClientService store = context.getBean(ReactiveOAuth2AuthorizedClientService.class);
		ReactiveClientRegistrationRepository registrations = context.getBean(TokenClientRegistrationRepository.class);
		for (String registrationId : new String[] { "acme", "legacy" }) {
			ClientRegistration registration = registrations.findByRegistrationId(registrationId).block();
			store.saveAuthorizedClient(authorizedClient(registration), new TestingAuthenticationToken("app", ""))
				.block();
			assertThat(store.loadAuthorizedClient(registrationId, "app").blockOptional()).as(registrationId)
				.isPresent();
			store.removeAuthorizedClient(registrationId, "app").block();
			assertThat(store.loadAuthorizedClient(registrationId, "app").blockOptional()).as(registrationId)
				.isEmpty();
		}
	}

	private static void assertBlockingStoreKeepsBothKinds(ApplicationContext context) {
		OAuth2AuthorizedClientService store = context.getBean(OAuth2AuthorizedClientService.class);
		ReactiveClientRegistrationRepository registrations = context.getBean(TokenClientRegistrationRepository.class);
		for (String registrationId : new String[] { "acme", "legacy" }) {
			ClientRegistration registration = registrations.findByRegistrationId(registrationId).block();
			store.saveAuthorizedClient(authorizedClient(registration), new TestingAuthenticationToken("app", ""));
			assertThat((OAuth2AuthorizedClient) store.loadAuthorizedClient(registrationId, "app")).as(registrationId)
				.isNotNull();
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)
				.loadAuthorizedClient(registrationId, "app")
				.blockOptional()).as("the engine's store holds " + registrationId).isPresent();
			store.removeAuthorizedClient(registrationId, "app");
			assertThat((OAuth2AuthorizedClient) store.loadAuthorizedClient(registrationId, "app")).as(registrationId)
				.isNull();
		}
	}

	private static OAuth2AuthorizedClient authorizedClient(ClientRegistration registration) {
		Instant now = Instant.now();
		return new OAuth2AuthorizedClient(registration, "app",
				new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "T", now, now.plusSeconds(300)));
	}

	private static ClientRegistration registration(String id) {
		return ClientRegistration.withRegistrationId(id)
			.clientId(id)
			.clientSecret("secret")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("https://own.example.com/token")
			.build();
	}

}
