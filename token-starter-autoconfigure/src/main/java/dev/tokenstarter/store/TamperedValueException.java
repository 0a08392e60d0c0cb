package dev.tokenstarter.store;

/**
 * A stored value could not be authenticated or decrypted: it was altered, written under another key, or
 * encrypted with a key this instance does not have. Such a value is treated as absent, never returned.
 */
public class TamperedValueException extends RuntimeException {

	public TamperedValueException(String message) {
		super(message);
	}

	public TamperedValueException(String message, Throwable cause) {
		super(message, cause);
	}

}
