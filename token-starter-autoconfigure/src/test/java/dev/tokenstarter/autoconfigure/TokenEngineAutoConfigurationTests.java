package dev.tokenstarter.autoconfigure;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.engine.TokenRefreshScheduler;
import dev.tokenstarter.lock.LocalTokenLock;
import dev.tokenstarter.lock.TokenLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.mockito.Mockito.mock;

/**
 * Each condition of the engine and clients auto-configurations.
 */
class TokenEngineAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
		.withPropertyValues("token.providers.acme.token-uri=https://auth.example.com/token",
				"token.providers.acme.client-id=acme-id", "token.providers.acme.client-secret=acme-secret",
				"token.providers.acme.client-authentication=client_secret_post",
				"token.providers.acme.scopes=read,write");

	@Test
	void defaultsServeASingleInstanceWithNothingElseInstalled() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(TokenManager.class)
				.hasSingleBean(TokenClients.class)
				.hasSingleBean(TokenRefreshScheduler.class);
			assertThat(context.getBean(TokenLock.class)).isInstanceOf(LocalTokenLock.class);
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
				.isInstanceOf(InMemoryReactiveOAuth2AuthorizedClientService.class);
		});
	}

	@Test
	void everyProviderBecomesAClientRegistrationNamedAfterIt() {
		this.runner.run((context) -> {
			ClientRegistration registration = context.getBean(TokenClientRegistrationRepository.class)
				.findByRegistrationId("acme")
				.block();
			assertThat(registration.getClientId()).isEqualTo("acme-id");
			assertThat(registration.getAuthorizationGrantType()).isEqualTo(AuthorizationGrantType.CLIENT_CREDENTIALS);
			assertThat(registration.getClientAuthenticationMethod())
				.isEqualTo(ClientAuthenticationMethod.CLIENT_SECRET_POST);
			assertThat(registration.getScopes()).containsExactlyInAnyOrder("read", "write");
			assertThat(registration.getProviderDetails().getTokenUri()).isEqualTo("https://auth.example.com/token");
		});
	}

	@Test
	void registrationsOfTheApplicationsOwnRepositoriesAreServedToo() {
		this.runner
			.withBean(InMemoryClientRegistrationRepository.class,
					() -> new InMemoryClientRegistrationRepository(registration("servlet-legacy")))
			.withBean(InMemoryReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration("reactive-legacy")))
			.run((context) -> {
				TokenClientRegistrationRepository repository = context.getBean(TokenClientRegistrationRepository.class);
				assertThat(repository.findByRegistrationId("servlet-legacy").block()).isNotNull();
				assertThat(repository.findByRegistrationId("reactive-legacy").block()).isNotNull();
				assertThat(repository.findByRegistrationId("acme").block()).isNotNull();
				assertThat(repository.findByRegistrationId("unknown").blockOptional()).isEmpty();
				assertThat(context.getBean(TokenClients.class).webClient("servlet-legacy")).isNotNull();
			});
	}

	@Test
	void userStoreLockAndManagerReplaceTheDefaults() {
		ReactiveOAuth2AuthorizedClientService store = mock(ReactiveOAuth2AuthorizedClientService.class);
		TokenLock lock = new TokenLock() {
			@Override
			public <T> Mono<T> withLock(String key, java.util.function.Supplier<Mono<T>> work) {
				return work.get();
			}
		};
		this.runner.withBean(ReactiveOAuth2AuthorizedClientService.class, () -> store)
			.withBean(TokenLock.class, () -> lock)
			.run((context) -> {
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class)).isSameAs(store);
				assertThat(context.getBean(TokenLock.class)).isSameAs(lock);
			});
		this.runner.withBean("myTokenManager", TokenManager.class, () -> mock(TokenManager.class))
			.run((context) -> assertThat(context).hasSingleBean(TokenManager.class).hasBean("myTokenManager"));
	}

	@Test
	void schedulerCanBeSwitchedOff() {
		this.runner.withPropertyValues("token.scheduler.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TokenRefreshScheduler.class)
				.hasSingleBean(TokenManager.class));
	}

	@Test
	void backsOffWithoutWebClient() {
		this.runner.withClassLoader(new FilteredClassLoader(WebClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TokenManager.class)
				.doesNotHaveBean(TokenClients.class));
	}

	@Test
	void backsOffWithoutSpringSecurityOAuth2Client() {
		this.runner.withClassLoader(new FilteredClassLoader(ClientRegistration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TokenManager.class)
				.doesNotHaveBean(TokenClients.class));
	}

	@Test
	void unknownProviderNameFailsWithAClearMessage() {
		this.runner.run((context) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> context.getBean(TokenClients.class).webClient("nomba"))
			.withMessageContaining("'nomba'")
			.withMessageContaining("token.providers.nomba"));
	}

	private static ClientRegistration registration(String id) {
		return ClientRegistration.withRegistrationId(id)
			.clientId(id)
			.clientSecret("secret")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("https://legacy.example.com/token")
			.build();
	}

}
