package dev.tokenstarter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.StringUtils;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * Token providers and how their tokens are obtained, cached and renewed.
 */
@ConfigurationProperties(prefix = TokenProperties.PREFIX)
@Validated
public class TokenProperties implements Validator {

	public static final String PREFIX = "token";

	/**
	 * Token providers by name; each name becomes a Spring Security client registration id. An entry takes type,
	 * token-uri or issuer-uri, client-id, client-secret, grant-type, username, password, ssl-bundle, base-url,
	 * revoke-uri, revoke-on-shutdown, refresh-uri, account-id and nomba-environment, and may override any
	 * token.defaults setting.
	 */
	private Map<String, Provider> providers = new LinkedHashMap<>();

	/**
	 * Settings every provider inherits unless it sets its own: all but those that identify the provider and the
	 * client (type, URLs, credentials, grant, SSL bundle, Nomba account).
	 */
	private final Defaults defaults = new Defaults();

	/**
	 * Background renewal of tokens that are in use.
	 */
	private final Scheduler scheduler = new Scheduler();

	/**
	 * Where authorized clients are kept and shared.
	 */
	private final Store store = new Store();

	/**
	 * The tokens held in memory for keys other than the providers' application tokens (principals, scopes,
	 * audiences, resources chosen per request).
	 */
	private final Keys keys = new Keys();

	/**
	 * Users' login sessions by the id of their {@code spring.security.oauth2.client.registration} (authorization
	 * code grant): what happens when the provider refuses to renew a user's token.
	 */
	private Map<String, Login> logins = new LinkedHashMap<>();

	public Map<String, Provider> getProviders() {
		return this.providers;
	}

	public void setProviders(Map<String, Provider> providers) {
		this.providers = providers;
	}

	public Defaults getDefaults() {
		return this.defaults;
	}

	public Scheduler getScheduler() {
		return this.scheduler;
	}

	public Store getStore() {
		return this.store;
	}

	public Keys getKeys() {
		return this.keys;
	}

	public Map<String, Login> getLogins() {
		return this.logins;
	}

	public void setLogins(Map<String, Login> logins) {
		this.logins = logins;
	}

	@Override
	public boolean supports(Class<?> type) {
		return TokenProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		new TokenPropertiesValidator((TokenProperties) target).validate(errors);
	}

	private static @Nullable String unlessBlank(@Nullable String value) {
		return StringUtils.hasText(value) ? value : null;
	}

	/**
	 * One token provider. An endpoint URL left blank ({@code ${TOKEN_URI:}} with the variable unset) counts as not
	 * set: discovered from {@code issuer-uri}, derived from {@code base-url}, or reported as missing.
	 */
	public static class Provider {

		/**
		 * Dialect of the provider's token endpoint.
		 */
		private ProviderType type = ProviderType.OAUTH2;

		/**
		 * URL of the token endpoint. Defaults to {base-url}/v1/auth/token/issue for type nomba.
		 */
		private @Nullable String tokenUri;

		/**
		 * Issuer URL of an OpenID Connect or RFC 8414 authorization server (Keycloak, Okta, Entra ID, Spring
		 * Authorization Server), whose metadata gives the token endpoint when token-uri is not set. Read on first
		 * use, so start-up does not need the server.
		 */
		private @Nullable String issuerUri;

		/**
		 * Client identifier issued by the provider.
		 */
		private @Nullable String clientId;

		/**
		 * Client secret issued by the provider. Never logged or exposed.
		 */
		private @Nullable String clientSecret;

		/**
		 * How the client authenticates at the token endpoint. Inherits token.defaults.client-authentication
		 * (client_secret_basic) when not set. Type nomba always uses client_secret_post.
		 */
		private @Nullable ClientAuthentication clientAuthentication;

		/**
		 * Signing key and claims of the client assertion, for client-authentication private_key_jwt (and the
		 * audience of client_secret_jwt).
		 */
		private final ClientAssertionProperties clientAssertion = new ClientAssertionProperties();

		/**
		 * DPoP-bound tokens (RFC 9449): a proof of the provider's key pair on every token request and API call.
		 */
		private final DpopProperties dpop = new DpopProperties();

		/**
		 * Grant used to obtain a token when no refresh token is held. Defaults to password for type wso2 and to
		 * client_credentials otherwise.
		 */
		private @Nullable TokenGrantType grantType;

		/**
		 * Resource owner's user name, for the password grant.
		 */
		private @Nullable String username;

		/**
		 * Resource owner's password, for the password grant. Kept in memory only: never stored with the token,
		 * logged or exposed.
		 */
		private @Nullable String password;

		/**
		 * URL of the token revocation endpoint (RFC 7009), such as https://apim.example.com:9443/oauth2/revoke.
		 * Without it, revoking a token only forgets it.
		 */
		private @Nullable String revokeUri;

		/**
		 * Whether the tokens held for this provider are revoked when the application shuts down gracefully.
		 * Inherits token.defaults.revoke-on-shutdown; false when neither is set.
		 */
		private @Nullable Boolean revokeOnShutdown;

		/**
		 * How many live sessions the provider keeps per client: "single" when a new token invalidates the
		 * client's earlier ones, "multiple" otherwise. Inherits token.defaults.sessions when not set, and
		 * without either: single for types nomba and wso2, multiple for oauth2.
		 */
		private @Nullable SessionPolicy sessions;

		/**
		 * Whether this provider's token is obtained during start-up, warming the cache, rather than on the first
		 * call. Inherits token.defaults.acquire-on-startup; false when neither is set.
		 */
		private @Nullable Boolean acquireOnStartup;

		/**
		 * Whether a token that cannot be obtained during start-up (see acquire-on-startup) stops the start-up, so
		 * that a deployment with wrong credentials never goes live. Inherits token.defaults.fail-on-startup-error;
		 * false when neither is set: the failure is logged and the first call tries again.
		 */
		private @Nullable Boolean failOnStartupError;

		/**
		 * URL refresh tokens are sent to when the provider does not take them at its token endpoint. Defaults to
		 * {base-url}/v1/auth/token/refresh for type nomba.
		 */
		private @Nullable String refreshUri;

		/**
		 * Nomba's parent account id, sent as the "accountId" header with every token and API request. Required
		 * for type nomba.
		 */
		private @Nullable String accountId;

		/**
		 * Nomba environment whose base URL (https://api.nomba.com or https://sandbox.nomba.com) is used when
		 * base-url is not set. Only for type nomba.
		 */
		private @Nullable NombaEnvironment nombaEnvironment;

		/**
		 * Name of a Spring Boot SSL bundle (spring.ssl.bundle.pem.<name> or .jks.<name>) whose key and
		 * certificate are presented to the token endpoint and the provider's API (mutual TLS), and whose trust
		 * material, when it has some, checks the provider's certificate instead of the JVM's.
		 */
		private @Nullable String sslBundle;

		/**
		 * How token request parameters are sent: form (RFC 6749) or json, for providers that only accept JSON.
		 * Inherits token.defaults.token-request-format (form) when not set.
		 */
		private @Nullable TokenRequestFormat tokenRequestFormat;

		/**
		 * Scopes requested with every token. Inherits token.defaults.scopes when not set; when set, replaces
		 * them.
		 */
		private @Nullable Set<String> scopes;

		/**
		 * Audience requested with every token, sent as the "audience" token request parameter. Inherits
		 * token.defaults.audience when neither it nor parameters.audience is set.
		 */
		private @Nullable String audience;

		/**
		 * Type of token asked for by grant-type token-exchange (RFC 8693 "requested_token_type"), such as
		 * urn:ietf:params:oauth:token-type:jwt. Defaults to urn:ietf:params:oauth:token-type:access_token.
		 */
		private @Nullable String requestedTokenType;

		/**
		 * Actor of grant-type token-exchange (RFC 8693 delegation): whose token is sent as "actor_token" with
		 * each exchange.
		 */
		private final ActorProperties actor = new ActorProperties();

		/**
		 * Extra token request parameters (for example "resource"), sent with every token request. Added to
		 * token.defaults.parameters, replacing those of the same name.
		 */
		private Map<String, String> parameters = new LinkedHashMap<>();

		/**
		 * Extra HTTP headers sent with every token request. Added to token.defaults.headers, replacing those of
		 * the same name.
		 */
		private Map<String, String> headers = new LinkedHashMap<>();

		/**
		 * Base URL of the API the provider's tokens are used on; the provider's WebClient and RestClient
		 * start from it.
		 */
		private @Nullable String baseUrl;

		/**
		 * HTTP statuses of the API that mean the token was rejected: the token is renewed and the request
		 * retried once. Inherits token.defaults.unauthorized-statuses when not set.
		 */
		private @Nullable Set<Integer> unauthorizedStatuses;

		/**
		 * When this provider's tokens are renewed.
		 */
		@NestedConfigurationProperty
		private final RefreshProperties refresh = new RefreshProperties();

		/**
		 * How this provider's token requests are retried and timed out.
		 */
		@NestedConfigurationProperty
		private final RetryProperties retry = new RetryProperties();

		public ProviderType getType() {
			return this.type;
		}

		public void setType(ProviderType type) {
			this.type = type;
		}

		public @Nullable String getTokenUri() {
			return this.tokenUri;
		}

		public void setTokenUri(@Nullable String tokenUri) {
			this.tokenUri = unlessBlank(tokenUri);
		}

		public @Nullable String getIssuerUri() {
			return this.issuerUri;
		}

		public void setIssuerUri(@Nullable String issuerUri) {
			this.issuerUri = unlessBlank(issuerUri);
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

		public @Nullable ClientAuthentication getClientAuthentication() {
			return this.clientAuthentication;
		}

		public void setClientAuthentication(@Nullable ClientAuthentication clientAuthentication) {
			this.clientAuthentication = clientAuthentication;
		}

		public @Nullable TokenGrantType getGrantType() {
			return this.grantType;
		}

		public void setGrantType(@Nullable TokenGrantType grantType) {
			this.grantType = grantType;
		}

		/**
		 * Returns the grant configured, or the one the provider's type implies.
		 */
		public TokenGrantType grantTypeOrDefault() {
			return (this.grantType != null) ? this.grantType : this.type.dialect().defaultGrantType();
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable String getRevokeUri() {
			return this.revokeUri;
		}

		public void setRevokeUri(@Nullable String revokeUri) {
			this.revokeUri = unlessBlank(revokeUri);
		}

		public @Nullable String getRefreshUri() {
			return this.refreshUri;
		}

		public void setRefreshUri(@Nullable String refreshUri) {
			this.refreshUri = unlessBlank(refreshUri);
		}

		public @Nullable String getAccountId() {
			return this.accountId;
		}

		public void setAccountId(@Nullable String accountId) {
			this.accountId = accountId;
		}

		public @Nullable NombaEnvironment getNombaEnvironment() {
			return this.nombaEnvironment;
		}

		public void setNombaEnvironment(@Nullable NombaEnvironment nombaEnvironment) {
			this.nombaEnvironment = nombaEnvironment;
		}

		public @Nullable String getSslBundle() {
			return this.sslBundle;
		}

		public void setSslBundle(@Nullable String sslBundle) {
			this.sslBundle = sslBundle;
		}

		public @Nullable TokenRequestFormat getTokenRequestFormat() {
			return this.tokenRequestFormat;
		}

		public void setTokenRequestFormat(@Nullable TokenRequestFormat tokenRequestFormat) {
			this.tokenRequestFormat = tokenRequestFormat;
		}

		public @Nullable SessionPolicy getSessions() {
			return this.sessions;
		}

		public void setSessions(@Nullable SessionPolicy sessions) {
			this.sessions = sessions;
		}

		public @Nullable Boolean getAcquireOnStartup() {
			return this.acquireOnStartup;
		}

		public void setAcquireOnStartup(@Nullable Boolean acquireOnStartup) {
			this.acquireOnStartup = acquireOnStartup;
		}

		public @Nullable Boolean getFailOnStartupError() {
			return this.failOnStartupError;
		}

		public void setFailOnStartupError(@Nullable Boolean failOnStartupError) {
			this.failOnStartupError = failOnStartupError;
		}

		public @Nullable Boolean getRevokeOnShutdown() {
			return this.revokeOnShutdown;
		}

		public void setRevokeOnShutdown(@Nullable Boolean revokeOnShutdown) {
			this.revokeOnShutdown = revokeOnShutdown;
		}

		public @Nullable Set<String> getScopes() {
			return this.scopes;
		}

		public void setScopes(@Nullable Set<String> scopes) {
			this.scopes = scopes;
		}

		public @Nullable String getAudience() {
			return this.audience;
		}

		public void setAudience(@Nullable String audience) {
			this.audience = audience;
		}

		public @Nullable String getRequestedTokenType() {
			return this.requestedTokenType;
		}

		public void setRequestedTokenType(@Nullable String requestedTokenType) {
			this.requestedTokenType = requestedTokenType;
		}

		public Map<String, String> getParameters() {
			return this.parameters;
		}

		public void setParameters(Map<String, String> parameters) {
			this.parameters = parameters;
		}

		public Map<String, String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(Map<String, String> headers) {
			this.headers = headers;
		}

		public @Nullable String getBaseUrl() {
			return this.baseUrl;
		}

		public void setBaseUrl(@Nullable String baseUrl) {
			this.baseUrl = unlessBlank(baseUrl);
		}

		public @Nullable Set<Integer> getUnauthorizedStatuses() {
			return this.unauthorizedStatuses;
		}

		public void setUnauthorizedStatuses(@Nullable Set<Integer> unauthorizedStatuses) {
			this.unauthorizedStatuses = unauthorizedStatuses;
		}

		public RefreshProperties getRefresh() {
			return this.refresh;
		}

		public RetryProperties getRetry() {
			return this.retry;
		}

		public ClientAssertionProperties getClientAssertion() {
			return this.clientAssertion;
		}

		public DpopProperties getDpop() {
			return this.dpop;
		}

		public ActorProperties getActor() {
			return this.actor;
		}

		@Override
		public String toString() {
			return "Provider[type=" + this.type + ", tokenUri=" + this.tokenUri + ", clientId=" + this.clientId
					+ ", clientSecret=" + Secrets.mask(this.clientSecret) + ", grantType=" + this.grantType
					+ ", username=" + this.username + ", password=" + Secrets.mask(this.password)
					+ ", scopes=" + this.scopes + ", baseUrl=" + this.baseUrl + "]";
		}

	}

	/**
	 * Settings every provider inherits. A provider's own value replaces the inherited one, except for maps
	 * (headers, parameters), which are merged entry by entry with the provider's entries winning.
	 */
	public static class Defaults {

		/**
		 * Scopes requested with every token of providers that do not set their own.
		 */
		private Set<String> scopes = new LinkedHashSet<>();

		/**
		 * Audience requested with every token, sent as the "audience" token request parameter.
		 */
		private @Nullable String audience;

		/**
		 * Extra token request parameters (for example "resource") sent with every token request.
		 */
		private Map<String, String> parameters = new LinkedHashMap<>();

		/**
		 * Extra HTTP headers sent with every token request.
		 */
		private Map<String, String> headers = new LinkedHashMap<>();

		/**
		 * How clients authenticate at token endpoints. Has no effect on type nomba, whose dialect fixes it.
		 */
		private ClientAuthentication clientAuthentication = ClientAuthentication.CLIENT_SECRET_BASIC;

		/**
		 * How token request parameters are sent: form (RFC 6749) or json.
		 */
		private TokenRequestFormat tokenRequestFormat = TokenRequestFormat.FORM;

		/**
		 * How many live sessions providers keep per client. When not set: single for types nomba and wso2,
		 * multiple for oauth2.
		 */
		private @Nullable SessionPolicy sessions;

		/**
		 * Whether providers' tokens are obtained during start-up, warming the cache, rather than on the first call.
		 */
		private boolean acquireOnStartup;

		/**
		 * Whether a token that cannot be obtained during start-up (see acquire-on-startup) stops the start-up.
		 */
		private boolean failOnStartupError;

		/**
		 * Whether providers' tokens are revoked when the application shuts down gracefully (ignored in fleet mode,
		 * where the fleet shares them).
		 */
		private boolean revokeOnShutdown;

		/**
		 * HTTP statuses of an API that mean its token was rejected.
		 */
		private Set<Integer> unauthorizedStatuses = new LinkedHashSet<>(Set.of(401));

		/**
		 * When tokens are renewed.
		 */
		@NestedConfigurationProperty
		private final RefreshProperties refresh = new RefreshProperties();

		/**
		 * How token requests are retried and timed out.
		 */
		@NestedConfigurationProperty
		private final RetryProperties retry = new RetryProperties();

		public Set<String> getScopes() {
			return this.scopes;
		}

		public void setScopes(Set<String> scopes) {
			this.scopes = scopes;
		}

		public @Nullable String getAudience() {
			return this.audience;
		}

		public void setAudience(@Nullable String audience) {
			this.audience = audience;
		}

		public Map<String, String> getParameters() {
			return this.parameters;
		}

		public void setParameters(Map<String, String> parameters) {
			this.parameters = parameters;
		}

		public Map<String, String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(Map<String, String> headers) {
			this.headers = headers;
		}

		public ClientAuthentication getClientAuthentication() {
			return this.clientAuthentication;
		}

		public void setClientAuthentication(ClientAuthentication clientAuthentication) {
			this.clientAuthentication = clientAuthentication;
		}

		public TokenRequestFormat getTokenRequestFormat() {
			return this.tokenRequestFormat;
		}

		public void setTokenRequestFormat(TokenRequestFormat tokenRequestFormat) {
			this.tokenRequestFormat = tokenRequestFormat;
		}

		public @Nullable SessionPolicy getSessions() {
			return this.sessions;
		}

		public void setSessions(@Nullable SessionPolicy sessions) {
			this.sessions = sessions;
		}

		public boolean isAcquireOnStartup() {
			return this.acquireOnStartup;
		}

		public void setAcquireOnStartup(boolean acquireOnStartup) {
			this.acquireOnStartup = acquireOnStartup;
		}

		public boolean isFailOnStartupError() {
			return this.failOnStartupError;
		}

		public void setFailOnStartupError(boolean failOnStartupError) {
			this.failOnStartupError = failOnStartupError;
		}

		public boolean isRevokeOnShutdown() {
			return this.revokeOnShutdown;
		}

		public void setRevokeOnShutdown(boolean revokeOnShutdown) {
			this.revokeOnShutdown = revokeOnShutdown;
		}

		public Set<Integer> getUnauthorizedStatuses() {
			return this.unauthorizedStatuses;
		}

		public void setUnauthorizedStatuses(Set<Integer> unauthorizedStatuses) {
			this.unauthorizedStatuses = unauthorizedStatuses;
		}

		public RefreshProperties getRefresh() {
			return this.refresh;
		}

		public RetryProperties getRetry() {
			return this.retry;
		}

	}

	/**
	 * One registration's login sessions.
	 */
	public static class Login {

		/**
		 * What a refused renewal of a user's token does once the user's client is removed from the store:
		 * 'reauthenticate' sends the user to the provider's authorization endpoint (a live provider session signs
		 * the user in again without a prompt); 'logout' also ends the local session and the provider's (OpenID
		 * Connect RP-initiated logout with the user's ID token as id_token_hint), so the user must log in again.
		 */
		private OnRefreshFailure onRefreshFailure = OnRefreshFailure.REAUTHENTICATE;

		/**
		 * Where the provider sends the user after ending its session on a refused renewal (with
		 * on-refresh-failure 'logout'); '{baseUrl}' stands for the application's address. Must be one of the
		 * client's post-logout redirect URIs at the provider.
		 */
		private String postLogoutRedirectUri = "{baseUrl}/";

		public String getPostLogoutRedirectUri() {
			return this.postLogoutRedirectUri;
		}

		public void setPostLogoutRedirectUri(String postLogoutRedirectUri) {
			this.postLogoutRedirectUri = postLogoutRedirectUri;
		}

		public OnRefreshFailure getOnRefreshFailure() {
			return this.onRefreshFailure;
		}

		public void setOnRefreshFailure(OnRefreshFailure onRefreshFailure) {
			this.onRefreshFailure = onRefreshFailure;
		}

	}

	/**
	 * Tokens held in memory for keys other than the application's (users, callers, scopes, audiences): bounded,
	 * since they may be many.
	 */
	public static class Keys {

		/**
		 * How many keys other than application tokens are held in memory at most; beyond it, the keys least likely to
		 * be used again (by how often and how recently they were used) are dropped and read from the store again
		 * when next needed. Application tokens are never dropped.
		 */
		private long maxHeld = 100_000;

		/**
		 * How long such a key is held in memory after its last use.
		 */
		private Duration idleTimeout = Duration.ofMinutes(30);

		public long getMaxHeld() {
			return this.maxHeld;
		}

		public void setMaxHeld(long maxHeld) {
			this.maxHeld = maxHeld;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

	}

	/**
	 * Background renewal of tokens in use, so the first call after a quiet period does not wait.
	 */
	public static class Scheduler {

		/**
		 * Whether tokens in use are renewed in the background at their stale point even without traffic.
		 */
		private boolean enabled = true;

		/**
		 * How often the background renewal looks for stale tokens.
		 */
		private Duration interval = Duration.ofSeconds(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

	}

	/**
	 * Where authorized clients are kept: in this process, or in Redis shared by the fleet.
	 */
	public static class Store {

		/**
		 * Store type. When not set: redis when a Redis connection is configured (spring.data.redis.url, host,
		 * port, sentinel or cluster), memory otherwise.
		 */
		private @Nullable StoreType type;

		/**
		 * The Redis store and lock.
		 */
		private final Redis redis = new Redis();

		public @Nullable StoreType getType() {
			return this.type;
		}

		public void setType(@Nullable StoreType type) {
			this.type = type;
		}

		public Redis getRedis() {
			return this.redis;
		}

	}

	/**
	 * The Redis store shared by every instance, and the lock that lets one instance renew at a time.
	 */
	public static class Redis {

		/**
		 * Prefix of every Redis key and of the pub/sub channel the store uses.
		 */
		private String keyPrefix = "token-starter:";

		/**
		 * Whether token values are encrypted at rest (AES-256-GCM). Turning it off must be explicit.
		 */
		private boolean encryption = true;

		/**
		 * Encryption keys as "id:base64-of-32-bytes" (make one with: openssl rand -base64 32). The first
		 * encrypts; all decrypt. Keys rotate in three rollouts: the new key added second on every instance, then
		 * put first, then the old one dropped once every entry sealed with it has been written again or has
		 * expired (a fleet's DPoP key pairs are sealed again with the first key as soon as an instance with that
		 * list reads them; a token entry is sealed again when its token is renewed).
		 */
		private List<String> encryptionKeys = new ArrayList<>();

		/**
		 * How long an instance waits for another instance's renewal before authenticating on its own.
		 */
		private Duration lockWait = Duration.ofSeconds(15);

		/**
		 * How long a renewal lock is held at most; a holder that dies or hangs loses it after this time. Longer
		 * than a token request with its retries (retry.timeout), three Redis commands (timeout each) and the wait
		 * for instances rejoining after an outage (a second plus two Redis timeouts): start-up warns when it
		 * is not.
		 */
		private Duration lockLease = Duration.ofSeconds(45);

		/**
		 * Time allowed for one Redis command; after a failure the store and lock fall back to this instance
		 * alone for a while instead of waiting on Redis again.
		 */
		private Duration timeout = Duration.ofSeconds(1);

		/**
		 * After a Redis failure, how long the store and lock work on this instance alone before trying Redis
		 * again.
		 */
		private Duration retryInterval = Duration.ofSeconds(5);

		/**
		 * How long an entry holding a refresh token without its own expiry is kept after its access token
		 * expires.
		 */
		private Duration refreshTokenTimeToLive = Duration.ofDays(1);

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public boolean isEncryption() {
			return this.encryption;
		}

		public void setEncryption(boolean encryption) {
			this.encryption = encryption;
		}

		public List<String> getEncryptionKeys() {
			return this.encryptionKeys;
		}

		public void setEncryptionKeys(List<String> encryptionKeys) {
			this.encryptionKeys = encryptionKeys;
		}

		public Duration getLockWait() {
			return this.lockWait;
		}

		public void setLockWait(Duration lockWait) {
			this.lockWait = lockWait;
		}

		public Duration getLockLease() {
			return this.lockLease;
		}

		public void setLockLease(Duration lockLease) {
			this.lockLease = lockLease;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Duration getRetryInterval() {
			return this.retryInterval;
		}

		public void setRetryInterval(Duration retryInterval) {
			this.retryInterval = retryInterval;
		}

		public Duration getRefreshTokenTimeToLive() {
			return this.refreshTokenTimeToLive;
		}

		public void setRefreshTokenTimeToLive(Duration refreshTokenTimeToLive) {
			this.refreshTokenTimeToLive = refreshTokenTimeToLive;
		}

		@Override
		public String toString() {
			return "Redis[keyPrefix=" + this.keyPrefix + ", encryption=" + this.encryption + ", encryptionKeys="
					+ this.encryptionKeys.size() + " (values hidden)]";
		}

	}

}
