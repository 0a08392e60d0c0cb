package dev.tokenstarter.store;

/**
 * Names in Redis: one hash per registration and principal, one lock per hash, one change channel, one channel
 * announcing lock releases, one hash of DPoP keys per registration.
 */
public final class RedisKeys {

	private final String prefix;

	public RedisKeys(String prefix) {
		this.prefix = prefix;
	}

	public String entry(String registrationId, String principalName) {
		return this.prefix + "client:" + registrationId + ":" + principalName;
	}

	/**
	 * The hash holding a registration's DPoP key pairs (sealed) and which of them is current.
	 */
	public String dpopKeys(String registrationId) {
		return this.prefix + "dpop-keys:" + registrationId;
	}

	public String lock(String name) {
		return this.prefix + "lock:" + name;
	}

	public String channel() {
		return this.prefix + "events";
	}

	public String lockReleases() {
		return this.prefix + "lock-releases";
	}

}
