package dev.tokenstarter.config;

/**
 * A provider's configuration that can only be checked once the application context exists (such as an SSL
 * bundle and its certificate) is wrong. Names the property and the problem, never a secret.
 */
public class TokenConfigurationException extends RuntimeException {

	private final String property;

	public TokenConfigurationException(String property, String problem) {
		this(property, problem, null);
	}

	public TokenConfigurationException(String property, String problem, Throwable cause) {
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
