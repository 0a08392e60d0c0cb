package dev.tokenstarter.grant;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.DelegatingReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.config.ProviderSettings;
import dev.tokenstarter.config.ProviderType;
import dev.tokenstarter.config.TokenRequestFormat;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.ssl.ProviderSslContexts;

/**
 * Builds, once per registration, the Spring Security authorized-client providers that talk to its token
 * endpoint: a {@code WebClient} with the provider's timeouts and SSL bundle, its extra headers and parameters, and
 * the strict {@link TokenResponseBodyExtractor}; Spring Security's token clients where they fit, ours for the
 * password grant, JSON requests, tls_client_auth and Nomba.
 */
public class TokenGrants {

	private final TokenSettings settings;

	private final Clock clock;

	private final PasswordCredentialsResolver passwordCredentials;

	private final ProviderSslContexts sslContexts;

	private final ObservationRegistry observations;

	private final TokenEndpointConnectors connectors = TokenEndpointConnectors
		.detect(TokenGrants.class.getClassLoader());

	private final Map<String, ProviderGrants> byRegistration = new ConcurrentHashMap<>();

	public TokenGrants(TokenSettings settings, Clock clock, PasswordCredentialsResolver passwordCredentials,
			ProviderSslContexts sslContexts, ObservationRegistry observations) {
		this.settings = settings;
		this.clock = clock;
		this.passwordCredentials = passwordCredentials;
		this.sslContexts = sslContexts;
		this.observations = observations;
	}

	/**
	 * Returns the grants of a registration.
	 * @param registration the client registration
	 * @return its grants, built on first use
	 */
	public ProviderGrants forRegistration(ClientRegistration registration) {
		return this.byRegistration.computeIfAbsent(registration.getRegistrationId(), (id) -> create(registration));
	}

	private ProviderGrants create(ClientRegistration registration) {
		ProviderSettings provider = this.settings.provider(registration.getRegistrationId());
		WebClient webClient = tokenEndpointClient(provider);
		if (provider.type() == ProviderType.NOMBA) {
			return nomba(registration, provider, webClient);
		}
		TokenResponseBodyExtractor extractor = extractor(registration, new TokenResponseParser(
				provider.refresh().defaultLifetime(), provider.refresh().maxLifetime(), this.clock));

		TokenEndpointClient endpoint = new TokenEndpointClient(webClient, extractor);
		ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> clientCredentials;
		ReactiveOAuth2AccessTokenResponseClient<OAuth2RefreshTokenGrantRequest> refreshToken;
		if (needsOwnClients(registration, provider)) {
			clientCredentials = TokenRequestClient.clientCredentials(endpoint, provider);
			refreshToken = TokenRequestClient.refreshToken(endpoint, provider);
		}
		else {
			clientCredentials = springClientCredentials(provider, webClient, extractor);
			refreshToken = springRefreshToken(provider, webClient, extractor);
		}
		PasswordGrantProvider password = new PasswordGrantProvider(TokenRequestClient.password(endpoint, provider),
				this.passwordCredentials);

		TokenRevoker revoker = (provider.revokeUri() != null)
				? new Rfc7009TokenRevoker(webClient, provider.revokeUri(), provider.headers()) : null;
		return new ProviderGrants(provider, new DelegatingReactiveOAuth2AuthorizedClientProvider(
				new ClientCredentialsGrantProvider(clientCredentials), password),
				new RefreshTokenGrantProvider(refreshToken), revoker, this.observations, this.clock);
	}

	/**
	 * Spring Security's clients send forms only and refuse tls_client_auth; ours do both.
	 */
	private static boolean needsOwnClients(ClientRegistration registration, ProviderSettings provider) {
		return provider.tokenRequestFormat() == TokenRequestFormat.JSON
				|| ClientAuthenticationMethod.TLS_CLIENT_AUTH.equals(registration.getClientAuthenticationMethod());
	}

	private static WebClientReactiveClientCredentialsTokenResponseClient springClientCredentials(
			ProviderSettings provider, WebClient webClient, TokenResponseBodyExtractor extractor) {
		WebClientReactiveClientCredentialsTokenResponseClient client = new WebClientReactiveClientCredentialsTokenResponseClient();
		client.setWebClient(webClient);
		client.setBodyExtractor(extractor);
		client.addHeadersConverter((request) -> headers(provider));
		client.addParametersConverter((request) -> parameters(provider));
		return client;
	}

	private static WebClientReactiveRefreshTokenTokenResponseClient springRefreshToken(ProviderSettings provider,
			WebClient webClient, TokenResponseBodyExtractor extractor) {
		WebClientReactiveRefreshTokenTokenResponseClient client = new WebClientReactiveRefreshTokenTokenResponseClient();
		client.setWebClient(webClient);
		client.setBodyExtractor(extractor);
		client.addHeadersConverter((request) -> headers(provider));
		client.addParametersConverter((request) -> parameters(provider));
		return client;
	}

	/**
	 * Nomba speaks JSON with an envelope at endpoints of its own, for issuing, refreshing and revoking alike.
	 */
	private ProviderGrants nomba(ClientRegistration registration, ProviderSettings provider, WebClient webClient) {
		Duration maxLifetime = provider.refresh().maxLifetime();
		TokenEndpointClient issue = new TokenEndpointClient(webClient,
				extractor(registration, new NombaResponseReader(false, maxLifetime, this.clock)));
		TokenEndpointClient refresh = new TokenEndpointClient(webClient,
				extractor(registration, new NombaResponseReader(true, maxLifetime, this.clock)));
		return new ProviderGrants(provider,
				new ClientCredentialsGrantProvider(new NombaIssueTokenResponseClient(issue, provider.headers())),
				new RefreshTokenGrantProvider(
						new NombaRefreshTokenResponseClient(refresh, provider.refreshUri(), provider.headers())),
				new NombaTokenRevoker(webClient, provider.revokeUri(), provider.headers()), this.observations,
				this.clock);
	}

	private TokenResponseBodyExtractor extractor(ClientRegistration registration, TokenResponseReader reader) {
		return new TokenResponseBodyExtractor(reader, this.clock, registration.getClientSecret());
	}

	private WebClient tokenEndpointClient(ProviderSettings provider) {
		// Answers are read as sent (see TokenResponseBodyExtractor): say so, since a request without
		// Accept-Encoding allows the server any content coding (RFC 9110 section 12.5.3).
		return WebClient.builder()
			.clientConnector(this.connectors.connector(provider, this.sslContexts.bundle(provider.registrationId())))
			.defaultHeader(HttpHeaders.ACCEPT_ENCODING, TokenResponseBodyExtractor.IDENTITY)
			.build();
	}

	private static HttpHeaders headers(ProviderSettings provider) {
		HttpHeaders headers = new HttpHeaders();
		provider.headers().forEach(headers::set);
		return headers;
	}

	private static MultiValueMap<String, String> parameters(ProviderSettings provider) {
		MultiValueMap<String, String> parameters = new LinkedMultiValueMap<>();
		provider.parameters().forEach(parameters::add);
		return parameters;
	}

}
