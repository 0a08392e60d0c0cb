package dev.tokenstarter.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link ProviderActivity} of every provider, counted per provider whatever key a token was for: what health
 * and the Actuator endpoint report stays one line per provider however many users or audiences are served.
 */
final class ProviderActivities {

	private final Map<String, ProviderActivity> byProvider = new ConcurrentHashMap<>();

	ProviderActivity of(String registrationId) {
		return this.byProvider.computeIfAbsent(registrationId, (id) -> new ProviderActivity());
	}

	ProviderActivity orEmpty(String registrationId) {
		ProviderActivity activity = this.byProvider.get(registrationId);
		return (activity != null) ? activity : new ProviderActivity();
	}

}
