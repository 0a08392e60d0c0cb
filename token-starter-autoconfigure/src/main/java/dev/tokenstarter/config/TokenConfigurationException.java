package dev.tokenstarter.config;

/**
 * A {@code token.*} setting that cannot work, found while building the beans. Names the property and what it
 * accepts, never its value (it may be a secret).
 */
public class TokenConfigurationException extends IllegalStateException {

	private final String property;

	public TokenConfigurationException(String property, String problem) {
		super(property + " " + problem);
		this.property = property;
	}

	/**
	 * Returns the property at fault.
	 */
	public String getProperty() {
		return this.property;
	}

}
