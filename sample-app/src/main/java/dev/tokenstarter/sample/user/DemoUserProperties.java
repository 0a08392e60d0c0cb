package dev.tokenstarter.sample.user;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The sample's user part: people signing in on the login page with their own username and password.
 */
@ConfigurationProperties("demo.user")
public class DemoUserProperties {

	/**
	 * The password-grant provider users sign in to, and whose API they call as themselves.
	 */
	private String provider = "wso2";

	/**
	 * The path of the provider's API that "Call the API as me" calls.
	 */
	private String path = "/api/hello";

	public String getProvider() {
		return this.provider;
	}

	public void setProvider(String provider) {
		this.provider = provider;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

}
