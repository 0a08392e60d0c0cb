package dev.tokenstarter.testing;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A token endpoint the stub serves under {@code /<path>/}, and the clients it accepts there.
 *
 * @param path the endpoint's path segment
 * @param nomba whether it speaks Nomba's JSON dialect rather than RFC 6749's
 * @param singleSession whether a new token ends the client's earlier ones, as Nomba and WSO2 do
 * @param clients the clients it accepts
 */
record StubbedProvider(String path, boolean nomba, boolean singleSession, List<StubbedClient> clients) {

	@Nullable StubbedClient client(@Nullable String clientId) {
		for (StubbedClient client : this.clients) {
			if (client.clientId().equals(clientId)) {
				return client;
			}
		}
		return null;
	}

}
