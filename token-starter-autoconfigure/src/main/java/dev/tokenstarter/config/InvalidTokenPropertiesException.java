package dev.tokenstarter.config;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.validation.BindValidationException;

/**
 * What was written under {@code token.*} cannot be used as written: keys that bind to nothing, placeholders that
 * nothing resolves. Carries the validation failure of the same binding, if any, so that the start-up report lists
 * every problem at once. Names properties and placeholders, never values.
 */
class InvalidTokenPropertiesException extends RuntimeException {

	private final List<String> problems;

	InvalidTokenPropertiesException(List<String> problems, @Nullable BindValidationException validationFailure) {
		super("Invalid token properties: " + String.join("; ", problems), validationFailure);
		this.problems = List.copyOf(problems);
	}

	/**
	 * Returns one sentence per problem, each naming the property.
	 */
	List<String> getProblems() {
		return this.problems;
	}

}
