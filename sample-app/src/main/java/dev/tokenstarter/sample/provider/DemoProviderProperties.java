package dev.tokenstarter.sample.provider;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo token provider that runs inside the sample app.
 */
@ConfigurationProperties("demo.provider")
public class DemoProviderProperties {

	/**
	 * Whether this instance runs the demo provider. Further instances of a fleet turn it off and point
	 * demo.provider.url at the first instance's provider.
	 */
	private boolean enabled;

	/**
	 * Port of the demo provider, separate from the application's own port.
	 */
	private int port = 9900;

	/**
	 * Lifetime of every access token issued, short so renewals happen within a minute.
	 */
	private Duration tokenLifetime = Duration.ofSeconds(30);

	/**
	 * Lifetime of refresh tokens.
	 */
	private Duration refreshTokenLifetime = Duration.ofMinutes(10);

	/**
	 * How long token requests take once the provider is told to be slow.
	 */
	private Duration slowDelay = Duration.ofSeconds(3);

	/**
	 * The users the WSO2 dialect's password grant knows, by name, with their passwords. When empty, any non-blank
	 * username and password sign in.
	 */
	private Map<String, String> users = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public Duration getTokenLifetime() {
		return this.tokenLifetime;
	}

	public void setTokenLifetime(Duration tokenLifetime) {
		this.tokenLifetime = tokenLifetime;
	}

	public Duration getRefreshTokenLifetime() {
		return this.refreshTokenLifetime;
	}

	public void setRefreshTokenLifetime(Duration refreshTokenLifetime) {
		this.refreshTokenLifetime = refreshTokenLifetime;
	}

	public Duration getSlowDelay() {
		return this.slowDelay;
	}

	public void setSlowDelay(Duration slowDelay) {
		this.slowDelay = slowDelay;
	}

	public Map<String, String> getUsers() {
		return this.users;
	}

	public void setUsers(Map<String, String> users) {
		this.users = users;
	}

}
