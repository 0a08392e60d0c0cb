package dev.tokenstarter.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TokenConfigurationException} at start-up as the property to fix and how.
 */
class TokenConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<TokenConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TokenConfigurationException cause) {
		return new FailureAnalysis("The token starter's configuration is invalid:\n\n    " + cause.getMessage(),
				"Correct " + cause.getProperty() + " in your application configuration (application.yml, "
						+ "environment variables or command-line arguments).",
				cause);
	}

}
