package dev.tokenstarter.config;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.StringUtils;

/**
 * Resolved settings of every configured provider, and the defaults that registrations coming from elsewhere
 * (such as {@code spring.security.oauth2.client.registration.*}) get.
 *
 * <p>Each setting is resolved in the same order: the provider's own value, then {@code token.defaults}, then the
 * built-in default (which may depend on the provider's type, as {@code sessions} does). A provider's value
 * replaces the inherited one whole, scopes and statuses included; {@code headers} and {@code parameters} are
 * merged instead, entry by entry, the provider's entries winning over those of the same name in the defaults
 * (header names compared regardless of case).
 * Settings that identify the provider or the client (type, URLs, credentials, grant, SSL bundle, Nomba account)
 * are not inherited.
 */
public class TokenSettings {

	private static final String AUDIENCE_PARAMETER = "audience";

	private static final String REQUESTED_TOKEN_TYPE_PARAMETER = "requested_token_type";

	/** In the order the providers are configured, so that start-up work and its logs follow that order. */
	private final Map<String, ProviderSettings> providers;

	private final Map<String, String> usernames;

	private final Map<String, String> passwords;

	private final Map<String, ClientAssertionSettings> assertions;

	private final Map<String, String> actors;

	private final Set<String> exchanges;

	private final TokenProperties.Defaults defaults;

	private final KeySettings keys;

	public TokenSettings(TokenProperties properties) {
		this.defaults = properties.getDefaults();
		this.keys = new KeySettings(properties.getKeys().getMaxHeld(), properties.getKeys().getIdleTimeout());
		Map<String, ProviderSettings> resolved = new LinkedHashMap<>();
		Map<String, String> usernames = new LinkedHashMap<>();
		Map<String, String> passwords = new LinkedHashMap<>();
		Map<String, ClientAssertionSettings> assertions = new LinkedHashMap<>();
		Map<String, String> actors = new LinkedHashMap<>();
		Set<String> exchanges = new HashSet<>();
		properties.getProviders().forEach((name, provider) -> {
			ProviderSettings settings = resolve(name, provider);
			resolved.put(name, settings);
			if (settings.clientAuthentication().isAssertion()) {
				assertions.put(name, ClientAssertionSettings.of(name, provider));
			}
			if (provider.getActor().getProvider() != null) {
				actors.put(name, provider.getActor().getProvider());
			}
			if (provider.grantTypeOrDefault() == TokenGrantType.TOKEN_EXCHANGE) {
				exchanges.add(name);
			}
			if (provider.grantTypeOrDefault() == TokenGrantType.PASSWORD) {
				if (provider.getUsername() != null) {
					usernames.put(name, provider.getUsername());
				}
				if (provider.getPassword() != null) {
					passwords.put(name, provider.getPassword());
				}
			}
		});
		this.providers = Collections.unmodifiableMap(resolved);
		this.usernames = Map.copyOf(usernames);
		this.passwords = Map.copyOf(passwords);
		this.assertions = Map.copyOf(assertions);
		this.actors = Map.copyOf(actors);
		this.exchanges = Set.copyOf(exchanges);
	}

	/**
	 * Returns the settings of every {@code token.providers} entry, in the order they are configured.
	 * Registrations from elsewhere are not among them.
	 * @return the configured providers' settings
	 */
	public Collection<ProviderSettings> providers() {
		return this.providers.values();
	}

	/**
	 * Returns the user a password-grant provider signs in as ({@code token.providers.<name>.username}): its
	 * tokens are that user's. Never the password.
	 * @param registrationId the client registration id
	 * @return the username, or null for other grants and for registrations from elsewhere
	 */
	public @Nullable String username(String registrationId) {
		return this.usernames.get(registrationId);
	}

	/**
	 * Returns the actor of a token-exchange provider ({@code token.providers.<name>.actor.provider}): the provider
	 * whose application token is sent as the actor token.
	 * @param registrationId the client registration id
	 * @return the actor's provider name, or null when the provider's exchanges carry no actor
	 */
	public @Nullable String actor(String registrationId) {
		return this.actors.get(registrationId);
	}

	/**
	 * Whether a provider of {@code token.providers} exchanges tokens (grant-type token-exchange): it has no
	 * application token, only tokens that act for the subject of another.
	 * @param registrationId the client registration id
	 * @return whether it is a configured token-exchange provider
	 */
	public boolean isTokenExchange(String registrationId) {
		return this.exchanges.contains(registrationId);
	}

	/**
	 * Returns how the tokens of keys other than application tokens are held in memory.
	 */
	public KeySettings keys() {
		return this.keys;
	}

	/**
	 * Returns the password a password-grant provider signs in with ({@code token.providers.<name>.password}).
	 * Kept apart from {@link ProviderSettings}, which is handed around far more widely, and only read by the
	 * resolver that supplies the configured credentials to the grant.
	 * @param registrationId the client registration id
	 * @return the password, or null for other grants and for registrations from elsewhere
	 */
	public @Nullable String password(String registrationId) {
		return this.passwords.get(registrationId);
	}

	/**
	 * Returns how a provider's client assertions are made.
	 * @param registrationId the client registration id
	 * @return the settings, or null unless the provider authenticates with private_key_jwt or client_secret_jwt
	 */
	public @Nullable ClientAssertionSettings clientAssertion(String registrationId) {
		return this.assertions.get(registrationId);
	}

	/**
	 * Returns the settings of a registration: its own when it is a {@code token.providers} entry, otherwise the
	 * defaults.
	 * @param registrationId the client registration id
	 * @return the settings, never null
	 */
	public ProviderSettings provider(String registrationId) {
		ProviderSettings settings = this.providers.get(registrationId);
		return (settings != null) ? settings : resolve(registrationId, new TokenProperties.Provider());
	}

	private ProviderSettings resolve(String name, TokenProperties.Provider provider) {
		Map<String, String> parameters = requestParameters(this.defaults.getParameters(), this.defaults.getAudience());
		parameters.putAll(requestParameters(provider.getParameters(), provider.getAudience()));
		if (provider.getRequestedTokenType() != null) {
			parameters.put(REQUESTED_TOKEN_TYPE_PARAMETER, provider.getRequestedTokenType());
		}
		Set<Integer> statuses = (provider.getUnauthorizedStatuses() != null) ? provider.getUnauthorizedStatuses()
				: this.defaults.getUnauthorizedStatuses();
		ProviderDialect dialect = provider.getType().dialect();
		ProviderEndpoints endpoints = dialect.endpoints(provider);
		// Header names are case-insensitive: X-Tenant of a provider replaces x-tenant of the defaults.
		Map<String, String> headers = new LinkedCaseInsensitiveMap<>(Locale.ROOT);
		headers.putAll(this.defaults.getHeaders());
		headers.putAll(provider.getHeaders());
		headers.putAll(dialect.tokenRequestHeaders(provider));
		return new ProviderSettings(name, Map.copyOf(headers), Map.copyOf(parameters), endpoints.baseUrl(),
				Set.copyOf(statuses), RefreshSettings.resolve(provider.getRefresh(), this.defaults.getRefresh()),
				RetrySettings.resolve(provider.getRetry(), this.defaults.getRetry()), dialect.apiHeaders(provider),
				endpoints.revokeUri(),
				Objects.requireNonNullElse(provider.getRevokeOnShutdown(), this.defaults.isRevokeOnShutdown()),
				provider.getType(), endpoints.refreshUri(),
				tokenRequestFormat(provider, this.defaults), provider.getSslBundle(),
				clientAuthentication(provider, this.defaults), sessions(provider, this.defaults),
				acquireOnStartup(provider, this.defaults),
				Objects.requireNonNullElse(provider.getFailOnStartupError(), this.defaults.isFailOnStartupError()),
				DpopSettings.of(name, provider));
	}

	/**
	 * A token exchange needs a user's token, which start-up has not: such a provider does not inherit
	 * acquire-on-startup (and may not set it, see the validator). Nor does a password provider without a user of
	 * its own, which serves users who sign in; set on the provider itself, the setting stands, for an application
	 * whose {@code PasswordCredentialsResolver} gives it credentials.
	 */
	private static boolean acquireOnStartup(TokenProperties.Provider provider, TokenProperties.Defaults defaults) {
		TokenGrantType grant = provider.grantTypeOrDefault();
		if (grant == TokenGrantType.TOKEN_EXCHANGE) {
			return false;
		}
		if (provider.getAcquireOnStartup() == null && grant == TokenGrantType.PASSWORD
				&& !StringUtils.hasText(provider.getUsername())) {
			return false;
		}
		return Objects.requireNonNullElse(provider.getAcquireOnStartup(), defaults.isAcquireOnStartup());
	}

	/**
	 * A provider's own audience is a parameter like the others, so that whatever the provider says about the
	 * audience, in either form, wins over the defaults.
	 */
	private static Map<String, String> requestParameters(Map<String, String> parameters, @Nullable String audience) {
		Map<String, String> merged = new LinkedHashMap<>(parameters);
		if (audience != null) {
			merged.put(AUDIENCE_PARAMETER, audience);
		}
		return merged;
	}

	/**
	 * Returns the scopes a provider requests: its own when it sets them, otherwise the defaults'.
	 */
	static Set<String> scopes(TokenProperties.Provider provider, TokenProperties.Defaults defaults) {
		return (provider.getScopes() != null) ? provider.getScopes() : defaults.getScopes();
	}

	/**
	 * Returns how a provider's client authenticates: as configured or inherited, unless its type's token endpoint
	 * only accepts another way.
	 */
	static ClientAuthentication clientAuthentication(TokenProperties.Provider provider,
			TokenProperties.Defaults defaults) {
		return provider.getType()
			.dialect()
			.clientAuthentication((provider.getClientAuthentication() != null) ? provider.getClientAuthentication()
					: defaults.getClientAuthentication());
	}

	static TokenRequestFormat tokenRequestFormat(TokenProperties.Provider provider,
			TokenProperties.Defaults defaults) {
		return (provider.getTokenRequestFormat() != null) ? provider.getTokenRequestFormat()
				: defaults.getTokenRequestFormat();
	}

	/**
	 * What the provider's type assumes (one session per client for Nomba and WSO2 API Manager, many for plain
	 * OAuth 2.0 servers) only applies when neither the provider nor the defaults say.
	 */
	static SessionPolicy sessions(TokenProperties.Provider provider, TokenProperties.Defaults defaults) {
		if (provider.getSessions() != null) {
			return provider.getSessions();
		}
		if (defaults.getSessions() != null) {
			return defaults.getSessions();
		}
		return provider.getType().dialect().defaultSessions();
	}

}
