package dev.tokenstarter.config;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.validation.ObjectError;

/**
 * Turns a failed validation of {@code token.*} into a start-up report that lists each wrong property and what
 * it accepts. Ordered first so it wins over Spring Boot's generic bind-validation report.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class TokenPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<BindValidationException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindValidationException cause) {
		List<ObjectError> errors = cause.getValidationErrors()
			.getAllErrors()
			.stream()
			.filter((error) -> TokenPropertiesValidator.ERROR_CODE.equals(error.getCode()))
			.toList();
		if (errors.isEmpty()) {
			return null;
		}
		StringBuilder description = new StringBuilder("The token starter's configuration is invalid:\n");
		for (ObjectError error : errors) {
			description.append("\n    ").append(error.getDefaultMessage());
		}
		return new FailureAnalysis(description.toString(),
				"Correct the properties listed above in your application configuration (application.yml, "
						+ "environment variables or command-line arguments).",
				cause);
	}

}
