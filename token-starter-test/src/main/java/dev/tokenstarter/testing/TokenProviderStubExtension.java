package dev.tokenstarter.testing;

import java.lang.reflect.Method;
import java.time.Duration;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import dev.tokenstarter.engine.TokenOperations;

/**
 * Resolves {@link TokenProviderStub} parameters of test methods, and after each test resets the stub and revokes
 * the application's tokens of the stubbed providers, so that no test sees another's tokens, failures or records.
 * Constructor parameters are left to the {@code SpringExtension} (the stub is a bean).
 */
final class TokenProviderStubExtension implements AfterEachCallback, ParameterResolver {

	private static final Duration REVOCATION_TIMEOUT = Duration.ofSeconds(10);

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getDeclaringExecutable() instanceof Method
				&& parameterContext.getParameter().getType() == TokenProviderStub.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return stub(SpringExtension.getApplicationContext(extensionContext));
	}

	@Override
	public void afterEach(ExtensionContext extensionContext) {
		ApplicationContext context = SpringExtension.getApplicationContext(extensionContext);
		TokenProviderStub stub = stub(context);
		stub.recover();
		ObjectProvider<TokenOperations> operations = context.getBeanProvider(TokenOperations.class);
		operations.ifAvailable((tokens) -> stub.registrationIds()
			.forEach((id) -> tokens.revoke(id).block(REVOCATION_TIMEOUT)));
		stub.reset();
	}

	private static TokenProviderStub stub(ApplicationContext context) {
		return context.getBean(TokenProviderStub.class);
	}

}
