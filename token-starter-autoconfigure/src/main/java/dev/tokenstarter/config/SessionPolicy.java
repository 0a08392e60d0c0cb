package dev.tokenstarter.config;

/**
 * How many live sessions a provider keeps per client.
 */
public enum SessionPolicy {

	/**
	 * One session per client: a new token invalidates the client's earlier ones (Nomba, WSO2 API Manager). The
	 * fleet must never authenticate twice at once, and an instance that cannot coordinate must not take the
	 * session from the others on every rejection.
	 */
	SINGLE,

	/**
	 * Any number of live tokens per client (most OAuth 2.0 servers, such as Keycloak).
	 */
	MULTIPLE

}
