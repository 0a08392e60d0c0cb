package dev.tokenstarter.grant;

import java.time.Clock;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.ProviderSettings;

/**
 * A provider's token endpoint as a {@link TokenEndpointDialect} builds its grants for it.
 *
 * @param registration the provider's client registration
 * @param provider the provider's settings, with the token request parameters of the grants being built
 * @param webClient the client every request to the provider goes through (its timeouts, its SSL bundle, and
 * {@code Accept-Encoding: identity})
 * @param clock the clock of lifetimes and {@code Retry-After} dates
 * @param assertions the client assertions of registrations that authenticate with one
 */
record TokenEndpoint(ClientRegistration registration, ProviderSettings provider, WebClient webClient, Clock clock,
		ClientAssertions assertions) {

	/**
	 * Returns an extractor that reads answers with the given reader, strictly and within a size limit, and keeps
	 * the client's secret out of the errors it raises.
	 */
	TokenResponseBodyExtractor extractor(TokenResponseReader reader) {
		return new TokenResponseBodyExtractor(reader, this.clock, this.registration.getClientSecret());
	}

	/**
	 * Returns a client that posts token requests to the provider and reads the answers with the given reader.
	 */
	TokenEndpointClient client(TokenResponseReader reader) {
		return new TokenEndpointClient(this.webClient, extractor(reader), authentication());
	}

	/**
	 * Returns how our own clients authenticate the registration's requests.
	 */
	ClientAuthenticationSupport authentication() {
		return new ClientAuthenticationSupport(this.assertions);
	}

}
