package dev.tokenstarter.store;

/**
 * An authorized-client store shared by every instance of the application (fleet mode). Tokens in it belong to
 * the fleet, not to one instance.
 */
public interface SharedTokenStore {

	/**
	 * Returns a short name of the store, such as {@code redis}.
	 */
	String name();

	/**
	 * Whether this instance works without the shared store at the moment (it is unreachable).
	 */
	boolean isDegraded();

}
