package dev.tokenstarter.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;

import dev.tokenstarter.client.ApplicationHttpClients;
import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.client.TokenRestClientHttpServiceGroupConfigurer;
import dev.tokenstarter.client.TokenWebClientHttpServiceGroupConfigurer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Each condition of the clients auto-configuration: the application's HTTP clients, and the configurers of HTTP
 * service groups, present only when the application declares groups.
 */
class TokenClientsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
		.withPropertyValues("token.providers.acme.token-uri=https://auth.example.com/token",
				"token.providers.acme.client-id=acme-id", "token.providers.acme.client-secret=acme-secret");

	@Test
	void withoutHttpServiceGroupsThereIsNoGroupConfigurer() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(TokenClients.class)
			.hasSingleBean(ApplicationHttpClients.class)
			.doesNotHaveBean(TokenRestClientHttpServiceGroupConfigurer.class)
			.doesNotHaveBean(TokenWebClientHttpServiceGroupConfigurer.class));
	}

	@Test
	void httpServiceGroupsGetAConfigurerForEachClientKind() {
		this.runner.withUserConfiguration(Groups.class)
			.run((context) -> assertThat(context).hasSingleBean(TokenRestClientHttpServiceGroupConfigurer.class)
				.hasSingleBean(TokenWebClientHttpServiceGroupConfigurer.class));
	}

	@Test
	void withoutWebClientGroupSupportOnlyRestClientGroupsAreConfigured() {
		this.runner.withUserConfiguration(Groups.class)
			.withClassLoader(new FilteredClassLoader(WebClientHttpServiceGroupConfigurer.class))
			.run((context) -> assertThat(context).hasSingleBean(TokenRestClientHttpServiceGroupConfigurer.class)
				.doesNotHaveBean(TokenWebClientHttpServiceGroupConfigurer.class));
	}

	@Test
	void configurersAndHttpClientsOfTheApplicationsOwnReplaceTheStarters() {
		this.runner.withUserConfiguration(Groups.class)
			.withBean("myRestGroups", TokenRestClientHttpServiceGroupConfigurer.class,
					() -> mock(TokenRestClientHttpServiceGroupConfigurer.class))
			.withBean("myWebGroups", TokenWebClientHttpServiceGroupConfigurer.class,
					() -> mock(TokenWebClientHttpServiceGroupConfigurer.class))
			.withBean("myHttpClients", ApplicationHttpClients.class, () -> mock(ApplicationHttpClients.class))
			.run((context) -> assertThat(context).hasSingleBean(TokenRestClientHttpServiceGroupConfigurer.class)
				.hasBean("myRestGroups")
				.hasSingleBean(TokenWebClientHttpServiceGroupConfigurer.class)
				.hasBean("myWebGroups")
				.hasSingleBean(ApplicationHttpClients.class)
				.hasBean("myHttpClients"));
	}

	interface Api {

		@GetExchange("/api")
		String call();

	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "acme", types = Api.class)
	static class Groups {

	}

}
