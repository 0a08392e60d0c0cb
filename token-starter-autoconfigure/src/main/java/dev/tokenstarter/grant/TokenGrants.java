package dev.tokenstarter.grant;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.ProviderType;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.ssl.ClientAssertionKeys;
import dev.tokenstarter.ssl.DpopKeys;
import dev.tokenstarter.ssl.DpopProofs;

/**
 * Builds, once per registration (and per set of token request parameters), the grants that talk to its token
 * endpoint: through a {@code WebClient} with the provider's timeouts and SSL bundle, with the parts the dialect of
 * the provider's type makes ({@link TokenEndpointDialect}: RFC 6749, or Nomba's own).
 */
public class TokenGrants {

	/** How many sets of per-request token parameters keep their grants built; plenty for audiences and resources. */
	private static final int MAX_PARAMETER_SETS = 1_000;

	private final TokenSettings settings;

	private final Clock clock;

	private final ObservationRegistry observations;

	private final ClientAssertions assertions;

	private final DpopKeys dpopKeys;

	private final DpopProofs dpopProofs;

	private final Rfc6749TokenEndpoint rfc6749;

	private volatile @Nullable JwtBearerAssertions jwtBearerAssertions;

	private final NombaTokenEndpoint nomba = new NombaTokenEndpoint();

	private final ProviderConnectors connectors;

	private final Map<String, ProviderGrants> byRegistration = new ConcurrentHashMap<>();

	/**
	 * The client of each registration's token endpoint, shared by the grants of all its parameter sets: the
	 * parameters change the requests, not the connection, and a client per set would be an HTTP client (with the
	 * JDK's, Jetty's or Apache's, threads of its own) per audience or resource a request ever named, never closed.
	 */
	private final Map<String, WebClient> endpointClients = new ConcurrentHashMap<>();

	private final Cache<ParameterKey, ProviderGrants> byParameters = Caffeine.newBuilder()
		.maximumSize(MAX_PARAMETER_SETS)
		.executor(Runnable::run)
		.build();

	public TokenGrants(TokenSettings settings, Clock clock, PasswordCredentialsResolver passwordCredentials,
			ProviderConnectors connectors, ClientAssertionKeys assertionKeys, DpopKeys dpopKeys,
			DpopProofs dpopProofs, ObservationRegistry observations) {
		Assert.notNull(connectors, "connectors cannot be null");
		Assert.notNull(dpopKeys, "dpopKeys cannot be null");
		Assert.notNull(dpopProofs, "dpopProofs cannot be null");
		this.settings = settings;
		this.dpopKeys = dpopKeys;
		this.dpopProofs = dpopProofs;
		this.assertions = new ClientAssertions(assertionKeys, settings, clock);
		this.clock = clock;
		this.connectors = connectors;
		this.observations = observations;
		this.rfc6749 = new Rfc6749TokenEndpoint(passwordCredentials, () -> this.jwtBearerAssertions);
	}

	/**
	 * Sets where the JWT bearer grant takes the assertion of an application token (one asked for without a subject
	 * token).
	 * @param jwtBearerAssertions the assertions
	 */
	public void setJwtBearerAssertions(JwtBearerAssertions jwtBearerAssertions) {
		Assert.notNull(jwtBearerAssertions, "jwtBearerAssertions must not be null");
		this.jwtBearerAssertions = jwtBearerAssertions;
	}

	/**
	 * Returns the grants of a registration.
	 * @param registration the client registration
	 * @return its grants, built on first use
	 */
	public ProviderGrants forRegistration(ClientRegistration registration) {
		return this.byRegistration.computeIfAbsent(registration.getRegistrationId(),
				(id) -> create(registration, this.settings.provider(id)));
	}

	/**
	 * Returns the grants of a registration whose token requests carry more parameters than the provider's (an
	 * audience or resource chosen per request). Built once per set of parameters and kept while in use, within a
	 * bound, since parameters may come from requests.
	 * @param registration the client registration
	 * @param parameters the parameters added to the provider's, replacing those of the same name
	 * @return the grants
	 */
	public ProviderGrants forParameters(ClientRegistration registration, Map<String, String> parameters) {
		if (parameters.isEmpty()) {
			return forRegistration(registration);
		}
		Map<String, String> sorted = new TreeMap<>(parameters);
		return this.byParameters.get(new ParameterKey(registration.getRegistrationId(), sorted),
				(key) -> create(registration, this.settings.provider(key.registrationId()).withParameters(sorted)));
	}

	private ProviderGrants create(ClientRegistration registration, ProviderSettings provider) {
		WebClient client = this.endpointClients.computeIfAbsent(provider.registrationId(),
				(id) -> tokenEndpointClient(provider));
		TokenEndpoint endpoint = new TokenEndpoint(registration, provider, client, this.clock, this.assertions);
		TokenEndpointDialect dialect = dialect(provider.type());
		return new ProviderGrants(provider, dpopBound(provider, dialect.primaryGrant(endpoint)),
				dpopBound(provider, dialect.refreshGrant(endpoint)), dialect.revoker(endpoint), this.observations,
				this.clock);
	}

	private ReactiveOAuth2AuthorizedClientProvider dpopBound(ProviderSettings provider,
			ReactiveOAuth2AuthorizedClientProvider grant) {
		return provider.isDpop() ? new DpopBoundGrant(provider.registrationId(), grant, this.dpopKeys) : grant;
	}

	/**
	 * How each provider type speaks at its token endpoint. No default: a new type does not compile until it says.
	 */
	private TokenEndpointDialect dialect(ProviderType type) {
		return switch (type) {
			case OAUTH2, WSO2 -> this.rfc6749;
			case NOMBA -> this.nomba;
		};
	}

	private WebClient tokenEndpointClient(ProviderSettings provider) {
		// Answers are read as sent (see TokenResponseBodyExtractor): say so, since a request without
		// Accept-Encoding allows the server any content coding (RFC 9110 section 12.5.3).
		WebClient.Builder builder = WebClient.builder()
			.clientConnector(this.connectors.connector(provider.registrationId()))
			.defaultHeader(HttpHeaders.ACCEPT_ENCODING, TokenResponseBodyExtractor.IDENTITY);
		if (provider.isDpop()) {
			builder.filter(new DpopTokenRequests(provider.registrationId(), this.dpopKeys, this.dpopProofs));
		}
		return builder.build();
	}

	private record ParameterKey(String registrationId, Map<String, String> parameters) {
	}

}
