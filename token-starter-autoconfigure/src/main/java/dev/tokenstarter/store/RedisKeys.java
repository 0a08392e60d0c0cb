package dev.tokenstarter.store;

import dev.tokenstarter.config.RegistrationNames;

/**
 * Names in Redis: one hash per registration and principal, one lock per hash, one channel announcing changes and
 * lock releases, one hash of DPoP keys per registration.
 */
public final class RedisKeys {

	private final String prefix;

	public RedisKeys(String prefix) {
		this.prefix = prefix;
	}

	/**
	 * The hash holding a registration's token for a principal.
	 * @throws IllegalArgumentException when the registration's name holds a colon, which would make it one with
	 * another registration's entry of another principal
	 */
	public String entry(String registrationId, String principalName) {
		RegistrationNames.require(registrationId);
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

	/**
	 * The channel on which the store announces every change and the fleet lock every release.
	 */
	public String channel() {
		return this.prefix + "events";
	}

	/**
	 * The channel on which earlier versions of the starter announced lock releases, and on which their waiters
	 * listen for them: releases are announced on it too, for a rolling upgrade.
	 */
	public String lockReleases() {
		return this.prefix + "lock-releases";
	}

}
