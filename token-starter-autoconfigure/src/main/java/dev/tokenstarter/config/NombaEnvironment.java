package dev.tokenstarter.config;

/**
 * Nomba's two environments; each has its own credentials.
 */
public enum NombaEnvironment {

	/**
	 * Live traffic at https://api.nomba.com.
	 */
	PRODUCTION("https://api.nomba.com"),

	/**
	 * Testing at https://sandbox.nomba.com.
	 */
	SANDBOX("https://sandbox.nomba.com");

	private final String baseUrl;

	NombaEnvironment(String baseUrl) {
		this.baseUrl = baseUrl;
	}

	public String baseUrl() {
		return this.baseUrl;
	}

}
