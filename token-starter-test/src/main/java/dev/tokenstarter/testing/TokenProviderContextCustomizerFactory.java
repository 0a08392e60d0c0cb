package dev.tokenstarter.testing;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Gives the test classes annotated with {@link AutoConfigureTokenProvider} (or enclosed in one) a
 * {@link TokenProviderContextCustomizer}; registered in {@code META-INF/spring.factories}.
 */
final class TokenProviderContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		AutoConfigureTokenProvider annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
				AutoConfigureTokenProvider.class);
		if (annotation == null) {
			return null;
		}
		return new TokenProviderContextCustomizer(Set.of(annotation.providers()),
				DurationStyle.detectAndParse(annotation.tokenLifetime()));
	}

}
