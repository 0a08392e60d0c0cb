package dev.tokenstarter.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tokenstarter.engine.TokenManager;
import dev.tokenstarter.user.ReactiveUserTokens;
import dev.tokenstarter.user.SignedInUsers;
import dev.tokenstarter.user.UserTokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * When {@link TokenUsersAutoConfiguration} and the engine's {@link SignedInUsers} apply, and when they back off.
 */
class TokenUsersAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TokenEngineAutoConfiguration.class, TokenUsersAutoConfiguration.class))
		.withPropertyValues("token.providers.wso2.type=wso2", "token.providers.wso2.token-uri=https://apim.example.com/token",
				"token.providers.wso2.client-id=c", "token.providers.wso2.client-secret=s",
				"token.scheduler.enabled=false");

	@Test
	void usersSignInThroughTheEngine() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ReactiveUserTokens.class)
				.hasSingleBean(UserTokens.class)
				.hasSingleBean(SignedInUsers.class);
		});
	}

	@Test
	void theApplicationsOwnBeansReplaceThem() {
		SignedInUsers signedIn = new SignedInUsers(10);
		UserTokens users = mock(UserTokens.class);
		this.runner.withBean(SignedInUsers.class, () -> signedIn)
			.withBean(UserTokens.class, () -> users)
			.run((context) -> {
				assertThat(context.getBean(SignedInUsers.class)).isSameAs(signedIn);
				assertThat(context.getBean(UserTokens.class)).isSameAs(users);
				assertThat(context).hasSingleBean(ReactiveUserTokens.class);
			});
	}

	@Test
	void withoutTheEngineThereAreNoUserTokens() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenUsersAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ReactiveUserTokens.class)
				.doesNotHaveBean(UserTokens.class)
				.doesNotHaveBean(TokenManager.class));
	}

}
