package dev.tokenstarter.config;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns a failed binding of {@code token.*} into a start-up report that lists each wrong property and what it
 * accepts: keys that bind to nothing and unresolved placeholders first, then the validation errors. Ordered first
 * so it wins over Spring Boot's generic bind and bind-validation reports.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class TokenPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
		List<String> problems = new ArrayList<>();
		InvalidTokenPropertiesException invalid = findCause(cause, InvalidTokenPropertiesException.class);
		if (invalid != null) {
			problems.addAll(invalid.getProblems());
		}
		BindValidationException validationFailure = findCause(cause, BindValidationException.class);
		if (validationFailure != null) {
			validationFailure.getValidationErrors()
				.getAllErrors()
				.stream()
				.filter((error) -> TokenPropertiesValidator.ERROR_CODE.equals(error.getCode()))
				.forEach((error) -> problems.add(error.getDefaultMessage()));
		}
		if (problems.isEmpty()) {
			return null;
		}
		StringBuilder description = new StringBuilder("The token starter's configuration is invalid:\n");
		for (String problem : problems) {
			description.append("\n    ").append(problem);
		}
		return new FailureAnalysis(description.toString(),
				"Correct the properties listed above in your application configuration (application.yml, "
						+ "environment variables or command-line arguments).",
				cause);
	}

}
