package dev.tokenstarter.ssl;

/**
 * The fleet's store answered with a DPoP key pair that cannot be used: it does not open with the configured
 * encryption keys, or is no key pair. Unlike a store that does not answer, this is no reason to sign with a key
 * of the instance's own: the key belongs to the instances that can open it, and is neither replaced nor worked
 * around.
 */
public class UnusableDpopKeyException extends IllegalStateException {

	public UnusableDpopKeyException(String message, Throwable cause) {
		super(message, cause);
	}

}
