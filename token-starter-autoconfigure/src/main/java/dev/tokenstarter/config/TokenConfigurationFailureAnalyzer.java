package dev.tokenstarter.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TokenConfigurationException} at start-up like the property validation does: the property and
 * what is wrong with it.
 */
class TokenConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<TokenConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TokenConfigurationException cause) {
		return new FailureAnalysis("The token starter's configuration is invalid:\n\n    " + cause.getMessage(),
				"Correct " + cause.getProperty() + " in your application configuration (application.yml, "
						+ "environment variables or command-line arguments), or what it refers to (such as an SSL "
						+ "bundle under spring.ssl.bundle.*).",
				cause);
	}

}
