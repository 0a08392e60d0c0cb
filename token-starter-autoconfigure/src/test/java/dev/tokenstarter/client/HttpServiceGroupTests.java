package dev.tokenstarter.client;

import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.service.ReactiveHttpServiceClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.annotation.ClientRegistrationId;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.client.support.OAuth2RestClientHttpServiceGroupConfigurer;
import org.springframework.security.oauth2.client.web.reactive.function.client.support.OAuth2WebClientHttpServiceGroupConfigurer;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.registry.HttpServiceGroup.ClientType;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;
import org.springframework.web.service.registry.ImportHttpServices;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.TestCertificates;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.unauthorized;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.API_PATH;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.inSequence;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP service groups ({@code @ImportHttpServices}) get their tokens with no client code, on both client kinds:
 * a group named after a provider gets its token, API headers and {@code base-url}; a call that names a provider
 * with Spring Security's {@code @ClientRegistrationId}, on its interface or its method, gets that provider's
 * token in any group; a group that is neither is left alone. Spring Security's own group configurers, when the
 * application declares them too, leave the starter's providers to the starter and keep serving their own
 * registrations.
 */
@ExtendWith(OutputCaptureExtension.class)
class HttpServiceGroupTests {

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	private static final TestCertificates certificates = TestCertificates.generate();

	/** A WSO2 provider: its API calls carry {@code Accept: application/json}. */
	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
				ImperativeHttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
				RestClientAutoConfiguration.class, WebClientAutoConfiguration.class,
				HttpServiceClientPropertiesAutoConfiguration.class, HttpServiceClientAutoConfiguration.class,
				ReactiveHttpServiceClientAutoConfiguration.class, TokenEngineAutoConfiguration.class,
				TokenClientsAutoConfiguration.class))
		.withPropertyValues(TokenStubs.providerProperties(server, "acme"))
		.withPropertyValues("token.providers.acme.type=wso2", "token.providers.acme.username=svc",
				"token.providers.acme.password=svc-password",
				"spring.http.serviceclient.plain.base-url=" + server.baseUrl(),
				"spring.http.serviceclient.selecting.base-url=" + server.baseUrl());

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aGroupNamedAfterAProviderGetsItsTokenApiHeadersAndBaseUrl(Kind kind) {
		server.stubFor(ourTokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("hello")));
		this.runner.withUserConfiguration(kind.groups).run((context) -> {
			Api acme = client(context, "acme", Api.class);
			assertThat(acme.call()).isEqualTo("hello");
			assertThat(acme.call()).isEqualTo("hello");
			server.verify(2,
					getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Accept", equalTo("application/json")));
			assertThat(count(server, tokenRequests())).isOne();
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void theGroupsOwnBaseUrlWinsOverTheProviders(Kind kind) {
		server.stubFor(ourTokenRequest().willReturn(token("T1", 300)));
		server.stubFor(get(urlPathEqualTo("/v2" + API_PATH)).withHeader("Authorization", equalTo("Bearer T1"))
			.willReturn(ok("v2")));
		this.runner.withUserConfiguration(kind.groups)
			.withPropertyValues("spring.http.serviceclient.acme.base-url=" + server.baseUrl() + "/v2")
			.run((context) -> assertThat(client(context, "acme", Api.class).call()).isEqualTo("v2"));
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aGroupThatIsNotAProviderIsLeftAlone(Kind kind) {
		server.stubFor(get(urlPathEqualTo(API_PATH)).willReturn(ok("open")));
		this.runner.withUserConfiguration(kind.groups).run((context) -> {
			assertThat(client(context, "plain", Api.class).call()).isEqualTo("open");
			server.verify(getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Authorization", absent())
				.withHeader("Accept", notContaining("application/json")));
			assertThat(count(server, tokenRequests())).isZero();
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aCallThatNamesAProviderOnItsInterfaceOrMethodGetsItsTokenInAnyGroup(Kind kind) {
		server.stubFor(ourTokenRequest().willReturn(token("T1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("named")));
		server.stubFor(
				get(urlPathEqualTo(API_PATH)).withHeader("Authorization", absent()).willReturn(ok("unnamed")));
		this.runner.withUserConfiguration(kind.groups).run((context) -> {
			assertThat(client(context, "selecting", NamedApi.class).call()).isEqualTo("named");
			MethodNamedApi methods = client(context, "selecting", MethodNamedApi.class);
			assertThat(methods.named()).isEqualTo("named");
			assertThat(methods.unnamed()).isEqualTo("unnamed");
			server.verify(2,
					getRequestedFor(urlPathEqualTo(API_PATH)).withHeader("Accept", equalTo("application/json")));
			assertThat(count(server, tokenRequests())).isOne();
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aRejectedTokenIsRenewedAndTheInterfaceCallRetriedOnce(Kind kind) {
		inSequence(server, HttpServiceGroupTests::ourTokenRequest, token("T1", 300), token("T2", 300),
				token("T3", 300));
		server.stubFor(apiWith("T1").willReturn(unauthorized()));
		server.stubFor(apiWith("T2").willReturn(ok("hello")));
		this.runner.withUserConfiguration(kind.groups).run((context) -> {
			assertThat(client(context, "acme", Api.class).call()).isEqualTo("hello");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)));
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aRejectedTokenOfANamedProviderIsRenewedAndTheCallRetriedOnce(Kind kind) {
		inSequence(server, HttpServiceGroupTests::ourTokenRequest, token("T1", 300), token("T2", 300),
				token("T3", 300));
		server.stubFor(apiWith("T1").willReturn(unauthorized()));
		server.stubFor(apiWith("T2").willReturn(ok("named")));
		this.runner.withUserConfiguration(kind.groups).run((context) -> {
			assertThat(client(context, "selecting", MethodNamedApi.class).named()).isEqualTo("named");
			assertThat(count(server, tokenRequests())).isEqualTo(2);
			server.verify(2, getRequestedFor(urlPathEqualTo(API_PATH)));
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void springSecuritysConfigurersLeaveTheStartersProvidersToItAndServeTheirOwnRegistrations(Kind kind) {
		server.stubFor(ourTokenRequest().willReturn(token("T1", 300)));
		server.stubFor(tokenRequest().withBasicAuth("security-acme", "security-secret").willReturn(token("S0", 300)));
		server.stubFor(tokenRequest().withBasicAuth("client-other", "secret-other").willReturn(token("S1", 300)));
		server.stubFor(apiWith("T1").willReturn(ok("starter")));
		server.stubFor(apiWith("S1").willReturn(ok("security")));
		this.runner.withUserConfiguration(kind.groups, SpringSecurityConfigurers.class).run((context) -> {
			assertThat(client(context, "selecting", NamedApi.class).call()).isEqualTo("starter");
			assertThat(client(context, "acme", Api.class).call()).isEqualTo("starter");
			assertThat(client(context, "selecting", OtherApi.class).call()).isEqualTo("security");
			// Spring Security's manager never asked for a token of the starter's provider.
			assertThat(count(server, tokenRequests().withBasicAuth(basic("security-acme", "security-secret"))))
				.isZero();
			assertThat(count(server, tokenRequests())).isEqualTo(2);
		});
	}

	/** The token requests of the starter's provider {@code acme}: its password grant. */
	private static MappingBuilder ourTokenRequest() {
		return tokenRequest().withBasicAuth("client-acme", "secret-acme");
	}

	private static BasicCredentials basic(String username, String password) {
		return new BasicCredentials(username, password);
	}

	private static <T> T client(AssertableApplicationContext context, String group, Class<T> type) {
		assertThat(context).hasNotFailed();
		return context.getBean(HttpServiceProxyRegistry.class).getClient(group, type);
	}

	enum Kind {

		REST_CLIENT(RestClientGroups.class), WEB_CLIENT(WebClientGroups.class);

		private final Class<?> groups;

		Kind(Class<?> groups) {
			this.groups = groups;
		}

	}

	/**
	 * A call that names a provider with a client certificate goes through its group's HTTP client: unless that
	 * presents the same certificate, the provider's token goes out without it (or with another provider's), and
	 * mutual TLS or a certificate-bound token fail on every call. Said at start-up; not with the group's own
	 * bundle, nor with the application's.
	 */
	@ParameterizedTest
	@EnumSource(Kind.class)
	void aGroupNamingAProviderWhoseCertificateItsClientDoesNotPresentIsWarnedOf(Kind kind, CapturedOutput output) {
		String warning = "HTTP service group 'selecting' names provider 'acme' with @ClientRegistrationId, whose "
				+ "ssl-bundle 'acme' its HTTP client does not present";
		ApplicationContextRunner withCertificate = this.runner.withUserConfiguration(kind.groups)
			.withPropertyValues("token.providers.acme.ssl-bundle=acme")
			.withPropertyValues(certificates.clientBundle("acme"));
		withCertificate.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains(warning);
		for (String bundle : new String[] { "spring.http.serviceclient.selecting.ssl.bundle=acme",
				"spring.http.clients.ssl.bundle=acme" }) {
			int before = output.getAll().length();
			withCertificate.withPropertyValues(bundle).run((context) -> assertThat(context).hasNotFailed());
			assertThat(output.getAll().substring(before)).as(bundle).doesNotContain(warning);
		}
	}

	@HttpExchange(API_PATH)
	interface Api {

		@GetExchange
		String call();

	}

	@ClientRegistrationId("acme")
	@HttpExchange(API_PATH)
	interface NamedApi {

		@GetExchange
		String call();

	}

	@HttpExchange(API_PATH)
	interface MethodNamedApi {

		@ClientRegistrationId("acme")
		@GetExchange
		String named();

		@GetExchange
		String unnamed();

	}

	/** Names a registration only Spring Security knows. */
	@ClientRegistrationId("other")
	@HttpExchange(API_PATH)
	interface OtherApi {

		@GetExchange
		String call();

	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "acme", types = Api.class, clientType = ClientType.REST_CLIENT)
	@ImportHttpServices(group = "plain", types = Api.class, clientType = ClientType.REST_CLIENT)
	@ImportHttpServices(group = "selecting", types = { NamedApi.class, MethodNamedApi.class, OtherApi.class },
			clientType = ClientType.REST_CLIENT)
	static class RestClientGroups {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "acme", types = Api.class, clientType = ClientType.WEB_CLIENT)
	@ImportHttpServices(group = "plain", types = Api.class, clientType = ClientType.WEB_CLIENT)
	@ImportHttpServices(group = "selecting", types = { NamedApi.class, MethodNamedApi.class, OtherApi.class },
			clientType = ClientType.WEB_CLIENT)
	static class WebClientGroups {

	}

	/**
	 * Spring Security's configurers, as an application would declare them, with registrations of their own that
	 * the starter does not know: {@code other}, and an {@code acme} of other credentials.
	 */
	@Configuration(proxyBeanMethods = false)
	static class SpringSecurityConfigurers {

		@Bean
		OAuth2RestClientHttpServiceGroupConfigurer securityRestClientConfigurer() {
			InMemoryClientRegistrationRepository registrations = new InMemoryClientRegistrationRepository(
					registration("acme", "security-acme", "security-secret"),
					registration("other", "client-other", "secret-other"));
			return OAuth2RestClientHttpServiceGroupConfigurer
				.from(new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations,
						new InMemoryOAuth2AuthorizedClientService(registrations)));
		}

		@Bean
		OAuth2WebClientHttpServiceGroupConfigurer securityWebClientConfigurer() {
			ReactiveClientRegistrationRepository registrations = new InMemoryReactiveClientRegistrationRepository(
					registration("acme", "security-acme", "security-secret"),
					registration("other", "client-other", "secret-other"));
			return OAuth2WebClientHttpServiceGroupConfigurer
				.from(new AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager(registrations,
						new InMemoryReactiveOAuth2AuthorizedClientService(registrations)));
		}

		private static ClientRegistration registration(String id, String clientId, String secret) {
			return ClientRegistration.withRegistrationId(id)
				.tokenUri(server.baseUrl() + TokenStubs.TOKEN_PATH)
				.clientId(clientId)
				.clientSecret(secret)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.build();
		}

	}

}
