package dev.tokenstarter.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

import dev.tokenstarter.config.ClientAuthentication;
import dev.tokenstarter.config.ProviderType;
import dev.tokenstarter.config.SessionPolicy;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.config.TokenRequestFormat;

/**
 * The providers an application configures, read from its environment as it binds them, and the properties that
 * point them at the stub instead.
 */
final class StubbedProviders {

	static final String TOKEN_PATH = "/token";

	static final String REVOKE_PATH = "/revoke";

	static final String NOMBA_ISSUE_PATH = "/v1/auth/token/issue";

	static final String NOMBA_REFRESH_PATH = "/v1/auth/token/refresh";

	static final String NOMBA_REVOKE_PATH = "/v1/auth/token/revoke";

	private static final String SECURITY_PREFIX = "spring.security.oauth2.client";

	private final List<StubbedProvider> providers;

	private final Map<String, Object> overrides;

	private StubbedProviders(List<StubbedProvider> providers, Map<String, Object> overrides) {
		this.providers = List.copyOf(providers);
		this.overrides = Map.copyOf(overrides);
	}

	/**
	 * Reads the providers of {@code token.providers.*} and the client registrations of
	 * {@code spring.security.oauth2.client.registration.*}.
	 * @param environment the application's environment, its configuration files loaded
	 * @param names the providers and registrations to stub, every one when empty
	 * @param baseUrl the stub's URL
	 */
	static StubbedProviders of(Environment environment, Set<String> names, String baseUrl) {
		Binder binder = Binder.get(environment);
		TokenProperties properties = binder.bind(TokenProperties.PREFIX, TokenProperties.class)
			.orElseGet(TokenProperties::new);
		Map<String, SecurityRegistration> registrations = binder
			.bind(SECURITY_PREFIX + ".registration", Bindable.mapOf(String.class, SecurityRegistration.class))
			.orElseGet(Map::of);
		Set<String> unknown = new LinkedHashSet<>(names);
		unknown.removeAll(properties.getProviders().keySet());
		unknown.removeAll(registrations.keySet());
		if (!unknown.isEmpty()) {
			throw new IllegalStateException("@AutoConfigureTokenProvider names " + unknown
					+ ", configured neither under token.providers nor under " + SECURITY_PREFIX + ".registration");
		}
		List<StubbedProvider> providers = new ArrayList<>();
		Map<String, Object> overrides = new LinkedHashMap<>();
		properties.getProviders().forEach((name, provider) -> {
			if (names.isEmpty() || names.contains(name)) {
				providers.add(tokenProvider(name, provider, properties.getDefaults(), baseUrl, overrides));
			}
		});
		Map<String, List<StubbedClient>> securityClients = new LinkedHashMap<>();
		registrations.forEach((id, registration) -> {
			if ((names.isEmpty() || names.contains(id)) && registration.getClientId() != null
					&& !AuthorizationGrantType.AUTHORIZATION_CODE.getValue()
						.equals(registration.getAuthorizationGrantType())) {
				String providerId = (registration.getProvider() != null) ? registration.getProvider() : id;
				securityClients.computeIfAbsent(providerId, (key) -> new ArrayList<>())
					.add(securityClient(id, registration));
			}
		});
		securityClients.forEach((providerId, clients) -> {
			String path = "security-" + segment(providerId);
			providers.add(new StubbedProvider(path, false, false, clients));
			overrides.put(SECURITY_PREFIX + ".provider." + providerId + ".token-uri", baseUrl + "/" + path + TOKEN_PATH);
		});
		return new StubbedProviders(providers, overrides);
	}

	private static StubbedProvider tokenProvider(String name, TokenProperties.Provider provider,
			TokenProperties.Defaults defaults, String baseUrl, Map<String, Object> overrides) {
		String prefix = TokenProperties.PREFIX + ".providers." + name;
		String path = baseUrl + "/" + segment(name);
		boolean nomba = provider.getType() == ProviderType.NOMBA;
		if (nomba) {
			overrides.put(prefix + ".token-uri", path + NOMBA_ISSUE_PATH);
			overrides.put(prefix + ".refresh-uri", path + NOMBA_REFRESH_PATH);
			overrides.put(prefix + ".revoke-uri", path + NOMBA_REVOKE_PATH);
		}
		else {
			overrides.put(prefix + ".token-uri", path + TOKEN_PATH);
			// A refresh endpoint of its own or a revocation endpoint only where the application has one: either
			// changes what the starter does (revocation on shutdown, where refresh tokens go).
			if (provider.getRefreshUri() != null) {
				overrides.put(prefix + ".refresh-uri", path + TOKEN_PATH);
			}
			if (provider.getRevokeUri() != null) {
				overrides.put(prefix + ".revoke-uri", path + REVOKE_PATH);
			}
		}
		ClientAuthentication authentication = nomba ? ClientAuthentication.CLIENT_SECRET_POST
				: (provider.getClientAuthentication() != null) ? provider.getClientAuthentication()
						: defaults.getClientAuthentication();
		TokenRequestFormat format = (provider.getTokenRequestFormat() != null) ? provider.getTokenRequestFormat()
				: defaults.getTokenRequestFormat();
		SessionPolicy sessions = (provider.getSessions() != null) ? provider.getSessions() : defaults.getSessions();
		boolean singleSession = (sessions != null) ? sessions == SessionPolicy.SINGLE
				: provider.getType() != ProviderType.OAUTH2;
		StubbedClient client = new StubbedClient(name, orEmpty(provider.getClientId()), provider.getClientSecret(),
				authentication.toClientAuthenticationMethod().getValue(),
				provider.grantTypeOrDefault().toAuthorizationGrantType().getValue(), provider.getUsername(),
				provider.getPassword(), nomba ? provider.getAccountId() : null,
				nomba || format == TokenRequestFormat.JSON);
		return new StubbedProvider(segment(name), nomba, singleSession, List.of(client));
	}

	private static StubbedClient securityClient(String id, SecurityRegistration registration) {
		String authentication = (registration.getClientAuthenticationMethod() != null)
				? registration.getClientAuthenticationMethod()
				: ClientAuthenticationMethod.CLIENT_SECRET_BASIC.getValue();
		String grantType = (registration.getAuthorizationGrantType() != null)
				? registration.getAuthorizationGrantType() : AuthorizationGrantType.CLIENT_CREDENTIALS.getValue();
		return new StubbedClient(id, orEmpty(registration.getClientId()), registration.getClientSecret(),
				authentication, grantType, null, null, null, false);
	}

	private static String segment(String name) {
		return URLEncoder.encode(name, StandardCharsets.UTF_8);
	}

	private static String orEmpty(@Nullable String value) {
		return (value != null) ? value : "";
	}

	List<StubbedProvider> providers() {
		return this.providers;
	}

	/**
	 * Returns the properties that point the providers at the stub.
	 */
	Map<String, Object> overrides() {
		return this.overrides;
	}

	/**
	 * What the stub needs of a {@code spring.security.oauth2.client.registration.*} entry; bound here so that the
	 * stub works without Spring Boot's OAuth2 client module.
	 */
	public static final class SecurityRegistration {

		private @Nullable String provider;

		private @Nullable String clientId;

		private @Nullable String clientSecret;

		private @Nullable String clientAuthenticationMethod;

		private @Nullable String authorizationGrantType;

		public @Nullable String getProvider() {
			return this.provider;
		}

		public void setProvider(@Nullable String provider) {
			this.provider = provider;
		}

		public @Nullable String getClientId() {
			return this.clientId;
		}

		public void setClientId(@Nullable String clientId) {
			this.clientId = clientId;
		}

		public @Nullable String getClientSecret() {
			return this.clientSecret;
		}

		public void setClientSecret(@Nullable String clientSecret) {
			this.clientSecret = clientSecret;
		}

		public @Nullable String getClientAuthenticationMethod() {
			return this.clientAuthenticationMethod;
		}

		public void setClientAuthenticationMethod(@Nullable String clientAuthenticationMethod) {
			this.clientAuthenticationMethod = clientAuthenticationMethod;
		}

		public @Nullable String getAuthorizationGrantType() {
			return this.authorizationGrantType;
		}

		public void setAuthorizationGrantType(@Nullable String authorizationGrantType) {
			this.authorizationGrantType = authorizationGrantType;
		}

	}

}
