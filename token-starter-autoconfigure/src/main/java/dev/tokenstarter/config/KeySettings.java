package dev.tokenstarter.config;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How the tokens of keys other than the providers' application tokens are held in memory.
 *
 * @param maxHeld how many such keys are held at most
 * @param idleTimeout how long one is held after its last use
 */
public record KeySettings(long maxHeld, Duration idleTimeout) {

	public KeySettings {
		Assert.isTrue(maxHeld >= 0, "token.keys.max-held must not be negative");
		Assert.isTrue(!idleTimeout.isNegative(), "token.keys.idle-timeout must not be negative");
	}

}
