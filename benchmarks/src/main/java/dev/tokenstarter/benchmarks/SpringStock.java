package dev.tokenstarter.benchmarks;

import java.time.Instant;

import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * Spring Security's own way of putting a client-credentials token on requests, set up as its reference
 * documentation shows for services outside a web request: an authorized-client manager over the in-memory
 * service, holding the token already, so that, as for the starter, only the fresh-token path is measured.
 */
final class SpringStock {

	/**
	 * Whom Spring's filter and interceptor authorize for when no user is signed in (their fallbacks use this
	 * name), so the saved token is the one they look up.
	 */
	private static final Authentication ANONYMOUS = new AnonymousAuthenticationToken("anonymous", "anonymousUser",
			AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));

	private SpringStock() {
	}

	static ExchangeFilterFunction exchangeFilter() {
		ClientRegistration registration = registration();
		InMemoryReactiveClientRegistrationRepository registrations = new InMemoryReactiveClientRegistrationRepository(
				registration);
		InMemoryReactiveOAuth2AuthorizedClientService service = new InMemoryReactiveOAuth2AuthorizedClientService(
				registrations);
		service.saveAuthorizedClient(authorizedClient(registration), ANONYMOUS).block();
		ServerOAuth2AuthorizedClientExchangeFilterFunction filter = new ServerOAuth2AuthorizedClientExchangeFilterFunction(
				new AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager(registrations, service));
		filter.setDefaultClientRegistrationId(Fixture.REGISTRATION_ID);
		return filter;
	}

	static ClientHttpRequestInterceptor requestInterceptor() {
		ClientRegistration registration = registration();
		InMemoryClientRegistrationRepository registrations = new InMemoryClientRegistrationRepository(registration);
		InMemoryOAuth2AuthorizedClientService service = new InMemoryOAuth2AuthorizedClientService(registrations);
		service.saveAuthorizedClient(authorizedClient(registration), ANONYMOUS);
		OAuth2ClientHttpRequestInterceptor interceptor = new OAuth2ClientHttpRequestInterceptor(
				new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations, service));
		// The counterpart of the WebClient filter's default registration: the calls under test are the same for
		// every case, with no per-request attribute naming the registration.
		interceptor.setClientRegistrationIdResolver((request) -> Fixture.REGISTRATION_ID);
		return interceptor;
	}

	private static ClientRegistration registration() {
		return ClientRegistration.withRegistrationId(Fixture.REGISTRATION_ID)
			.clientId("bench-client")
			.clientSecret("bench-secret")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("http://token.invalid/token")
			.build();
	}

	private static OAuth2AuthorizedClient authorizedClient(ClientRegistration registration) {
		Instant now = Instant.now();
		OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, Fixture.TOKEN_VALUE, now,
				now.plus(Fixture.TOKEN_LIFETIME));
		return new OAuth2AuthorizedClient(registration, ANONYMOUS.getName(), token);
	}

}
