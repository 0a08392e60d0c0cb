package dev.tokenstarter.store;

import org.jspecify.annotations.Nullable;
import reactor.util.context.Context;

import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;

/**
 * An authorized-client store shared by every instance of the application (fleet mode). Tokens in it belong to
 * the fleet, not to one instance.
 */
public interface SharedTokenStore {

	/**
	 * Where a save finds, in the Reactor context, the read it is based on (see {@link #basedOn}).
	 */
	String BASIS = SharedTokenStore.class.getName() + ".basis";

	/**
	 * Returns the Reactor context of a save based on one read of the entry: the save replaces only what that read
	 * found, whatever other reads of the entry this instance made since (application code reading the store, a
	 * write-back). Without it, or when the read found no token, a save is based on this instance's last read or
	 * write of the entry (a read that found an entry without a token knows its version all the same).
	 * @param read the client the read found, or null when it found none
	 * @return the context to write to the save
	 */
	static Context basedOn(@Nullable OAuth2AuthorizedClient read) {
		return (read != null) ? Context.of(BASIS, read) : Context.empty();
	}

	/**
	 * Returns a short name of the store, such as {@code redis}.
	 */
	String name();

	/**
	 * Whether this instance works without the shared store at the moment (it is unreachable).
	 */
	boolean isDegraded();

}
