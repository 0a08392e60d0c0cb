package dev.tokenstarter.hostile;

import java.io.IOException;

/**
 * How the provider stub answers a token request.
 */
@FunctionalInterface
interface ProviderBehaviour {

	void answer(ProviderExchange exchange) throws IOException, InterruptedException;

}
