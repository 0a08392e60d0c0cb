package dev.tokenstarter.sample.caller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The callers that use each provider's API through the token starter, so tokens are in use and renewed.
 */
@ConfigurationProperties("demo.caller")
public class DemoCallerProperties {

	/**
	 * Whether the application calls the providers' APIs on its own.
	 */
	private boolean enabled;

	/**
	 * Time between two calls to one provider's API.
	 */
	private Duration interval = Duration.ofSeconds(1);

	/**
	 * Path called through TokenClients, relative to each provider's base-url; a provider called through the
	 * HelloApi interface calls /api/hello.
	 */
	private String path = "/api/hello";

	/**
	 * Providers called; all configured token providers when empty.
	 */
	private List<String> providers = new ArrayList<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getInterval() {
		return this.interval;
	}

	public void setInterval(Duration interval) {
		this.interval = interval;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public List<String> getProviders() {
		return this.providers;
	}

	public void setProviders(List<String> providers) {
		this.providers = providers;
	}

}
