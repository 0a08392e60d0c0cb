package dev.tokenstarter.config;

import org.jspecify.annotations.Nullable;

/**
 * A {@code token.*} setting that can only be checked while the beans are built (an encryption key, an SSL bundle
 * and its certificate) cannot work. Names the property and the problem, never its value (it may be a secret).
 */
public class TokenConfigurationException extends RuntimeException {

	private final String property;

	public TokenConfigurationException(String property, String problem) {
		this(property, problem, null);
	}

	public TokenConfigurationException(String property, String problem, @Nullable Throwable cause) {
		super(property + " " + problem, cause);
		this.property = property;
	}

	/**
	 * Returns the full name of the property at fault.
	 */
	public String getProperty() {
		return this.property;
	}

}
