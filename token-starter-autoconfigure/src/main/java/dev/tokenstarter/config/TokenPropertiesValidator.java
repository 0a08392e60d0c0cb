package dev.tokenstarter.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;
import org.springframework.validation.Errors;

/**
 * Checks {@link TokenProperties} after binding. Each error names the exact property and what it accepts, and
 * never repeats a secret's value.
 */
class TokenPropertiesValidator {

	static final String ERROR_CODE = "token.invalid";

	private final TokenProperties properties;

	TokenPropertiesValidator(TokenProperties properties) {
		this.properties = properties;
	}

	void validate(Errors errors) {
		for (Map.Entry<String, TokenProperties.Provider> entry : this.properties.getProviders().entrySet()) {
			String prefix = TokenProperties.PREFIX + ".providers." + entry.getKey();
			if (!RegistrationNames.isValid(entry.getKey())) {
				error(errors, prefix, RegistrationNames.RULE);
			}
			validateProvider(prefix, entry.getValue(), errors);
		}
		validateSingleSessionClients(errors);
		String defaults = TokenProperties.PREFIX + ".defaults";
		validateScopes(defaults + ".scopes", this.properties.getDefaults().getScopes(), errors);
		validateHeaders(defaults, this.properties.getDefaults().getHeaders(), errors);
		validateStatuses(defaults + ".unauthorized-statuses", this.properties.getDefaults().getUnauthorizedStatuses(),
				errors);
		validateRefresh(defaults + ".refresh", this.properties.getDefaults().getRefresh(), errors);
		validateLifetimes(defaults + ".refresh", this.properties.getDefaults().getRefresh(), new RefreshProperties(),
				errors);
		validateRetry(defaults + ".retry", this.properties.getDefaults().getRetry(), errors);
		validateParameters(defaults + ".parameters", this.properties.getDefaults().getParameters(), errors);
		validateKeys(errors);
		positive(TokenProperties.PREFIX + ".scheduler.interval", this.properties.getScheduler().getInterval(), errors);
		String redis = TokenProperties.PREFIX + ".store.redis";
		TokenProperties.Redis redisProperties = this.properties.getStore().getRedis();
		positive(redis + ".lock-wait", redisProperties.getLockWait(), errors);
		positive(redis + ".lock-lease", redisProperties.getLockLease(), errors);
		positive(redis + ".timeout", redisProperties.getTimeout(), errors);
		withinIntMillis(redis + ".timeout", redisProperties.getTimeout(), errors);
		positive(redis + ".retry-interval", redisProperties.getRetryInterval(), errors);
		positive(redis + ".refresh-token-time-to-live", redisProperties.getRefreshTokenTimeToLive(), errors);
		if (!StringUtils.hasText(redisProperties.getKeyPrefix())) {
			error(errors, redis + ".key-prefix", "must not be empty");
		}
	}

	/**
	 * Two provider entries of one single-session client would each end the other's session with every token
	 * they obtain. An entry whose token endpoint is discovered is known by its issuer until then: one issuer has
	 * one token endpoint.
	 */
	private void validateSingleSessionClients(Errors errors) {
		Map<String, String> firstByClient = new HashMap<>();
		this.properties.getProviders().forEach((name, provider) -> {
			String tokenUri = ProviderEndpoints.of(provider).tokenUri();
			String endpoint = (tokenUri != null) ? tokenUri
					: (provider.getIssuerUri() != null) ? "issuer " + provider.getIssuerUri() : null;
			if (provider.getClientId() == null || endpoint == null) {
				return;
			}
			String first = firstByClient.putIfAbsent(endpoint + ' ' + provider.getClientId(), name);
			if (first != null && (singleSession(provider) || singleSession(this.properties.getProviders().get(first)))) {
				error(errors, TokenProperties.PREFIX + ".providers." + name + ".client-id", "is also the client of "
						+ TokenProperties.PREFIX + ".providers." + first + " at the same token endpoint, and the provider "
						+ "keeps a single session per client (sessions: single): each entry's tokens would end the "
						+ "other's session. Use one entry for the client, or set sessions: multiple on both if the "
						+ "provider keeps parallel sessions");
			}
		});
	}

	/**
	 * Keys dropped as soon as they are made would cost a token request per call; and the store keeps each entry's
	 * version read by a renewal for this idle time, so a renewal that outlives it has its save refused as stale
	 * and its new token (and a rotated refresh token) thrown away.
	 */
	private void validateKeys(Errors errors) {
		String keys = TokenProperties.PREFIX + ".keys";
		if (this.properties.getKeys().getMaxHeld() < 1) {
			error(errors, keys + ".max-held", "must be at least 1, not " + this.properties.getKeys().getMaxHeld()
					+ ": keys of users, callers and audiences would be dropped as soon as they are made");
		}
		Duration idleTimeout = this.properties.getKeys().getIdleTimeout();
		Map.Entry<String, Duration> longest = longestTokenRequest();
		if (idleTimeout.compareTo(longest.getValue()) <= 0) {
			error(errors, keys + ".idle-timeout", "must be longer than a token request with its retries ("
					+ longest.getKey() + ", " + longest.getValue().toSeconds() + "s), not " + idleTimeout
					+ ": the token store keeps what a renewal read for this long");
		}
	}

	/**
	 * Returns the longest {@code retry.timeout} of any provider, with the property that sets it.
	 */
	private Map.Entry<String, Duration> longestTokenRequest() {
		String defaults = TokenProperties.PREFIX + ".defaults.retry.timeout";
		Map.Entry<String, Duration> longest = Map.entry(defaults,
				RetrySettings.resolve(new RetryProperties(), this.properties.getDefaults().getRetry()).timeout());
		for (Map.Entry<String, TokenProperties.Provider> entry : this.properties.getProviders().entrySet()) {
			Duration timeout = entry.getValue().getRetry().getTimeout();
			if (timeout != null && timeout.compareTo(longest.getValue()) > 0) {
				longest = Map.entry(TokenProperties.PREFIX + ".providers." + entry.getKey() + ".retry.timeout",
						timeout);
			}
		}
		return longest;
	}

	private void validateParameters(String prefix, Map<String, String> parameters, Errors errors) {
		parameters.keySet()
			.stream()
			.filter(GrantParameters::isSetByTheGrant)
			.forEach((name) -> error(errors, prefix + "." + name,
					"is set by the grant itself and cannot be an extra token request parameter"));
	}

	private boolean singleSession(TokenProperties.Provider provider) {
		return TokenSettings.sessions(provider, this.properties.getDefaults()) == SessionPolicy.SINGLE;
	}

	private void validateProvider(String prefix, TokenProperties.Provider provider, Errors errors) {
		ProviderDialect dialect = provider.getType().dialect();
		dialect.validate(prefix, provider, dialect.endpoints(provider), errors);
		if (provider.getIssuerUri() != null) {
			httpUrl(prefix + ".issuer-uri", provider.getIssuerUri(), errors);
		}
		if (StringUtils.hasText(provider.getTokenUri())) {
			httpUrl(prefix + ".token-uri", provider.getTokenUri(), errors);
		}
		if (provider.getRefreshUri() != null) {
			httpUrl(prefix + ".refresh-uri", provider.getRefreshUri(), errors);
		}
		if (!StringUtils.hasText(provider.getClientId())) {
			error(errors, prefix + ".client-id", "is required: the client identifier the provider issued");
		}
		ClientAuthentication clientAuthentication = TokenSettings.clientAuthentication(provider,
				this.properties.getDefaults());
		if (clientAuthentication.isMutualTls() && !StringUtils.hasText(provider.getSslBundle())) {
			error(errors, prefix + ".ssl-bundle", "is required for client-authentication "
					+ clientAuthentication.name().toLowerCase(Locale.ROOT)
					+ inherited(provider.getClientAuthentication(), "client-authentication")
					+ ": the SSL bundle whose client certificate authenticates the client");
		}
		if (provider.getSslBundle() != null && !StringUtils.hasText(provider.getSslBundle())) {
			error(errors, prefix + ".ssl-bundle", "must name an SSL bundle (spring.ssl.bundle.pem.<name> or .jks.<name>)");
		}
		if (clientAuthentication.needsSecret() && !StringUtils.hasText(provider.getClientSecret())) {
			error(errors, prefix + ".client-secret", "is required for client-authentication "
					+ clientAuthentication.name().toLowerCase(Locale.ROOT) + ": the client secret the provider issued");
		}
		validateClientAssertion(prefix, provider, clientAuthentication, errors);
		validateDpop(prefix + ".dpop", provider, errors);
		if (provider.getBaseUrl() != null) {
			httpUrl(prefix + ".base-url", provider.getBaseUrl(), errors);
		}
		if (provider.getRevokeUri() != null) {
			httpUrl(prefix + ".revoke-uri", provider.getRevokeUri(), errors);
		}
		validatePasswordGrant(prefix, provider, errors);
		validateDelegatedGrants(prefix, provider, errors);
		validateActor(prefix, provider, errors);
		validateOtherTypesProperties(prefix, provider, errors);
		if (provider.getScopes() != null) {
			validateScopes(prefix + ".scopes", provider.getScopes(), errors);
		}
		validateHeaders(prefix, provider.getHeaders(), errors);
		validateParameters(prefix + ".parameters", provider.getParameters(), errors);
		if (provider.getUnauthorizedStatuses() != null) {
			validateStatuses(prefix + ".unauthorized-statuses", provider.getUnauthorizedStatuses(), errors);
		}
		validateRefresh(prefix + ".refresh", provider.getRefresh(), errors);
		if (provider.getRefresh().getDefaultLifetime() != null || provider.getRefresh().getMaxLifetime() != null) {
			validateLifetimes(prefix + ".refresh", provider.getRefresh(), this.properties.getDefaults().getRefresh(),
					errors);
		}
		validateRetry(prefix + ".retry", provider.getRetry(), errors);
	}

	/**
	 * What can be checked without reading the keys; {@code ClientAssertionKeys} checks the keys themselves
	 * (present, readable, of the algorithm's type) when the application starts.
	 */
	private void validateClientAssertion(String prefix, TokenProperties.Provider provider,
			ClientAuthentication clientAuthentication, Errors errors) {
		ClientAssertionProperties assertion = provider.getClientAssertion();
		String property = prefix + ".client-assertion";
		if (!clientAuthentication.isAssertion()) {
			if (assertion.isConfigured()) {
				error(errors, property, "is only used by client-authentication private_key_jwt or client_secret_jwt, not "
						+ clientAuthentication.name().toLowerCase(Locale.ROOT));
			}
			return;
		}
		if (assertion.getAudience() == ClientAssertionAudience.ISSUER && !StringUtils.hasText(provider.getIssuerUri())) {
			error(errors, prefix + ".issuer-uri", "is required for client-assertion.audience issuer: the issuer the "
					+ "assertion is addressed to");
		}
		boolean keyConfigured = !assertion.getSslBundles().isEmpty() || assertion.getJwk() != null;
		if (clientAuthentication == ClientAuthentication.CLIENT_SECRET_JWT) {
			if (keyConfigured || assertion.getKeyId() != null || assertion.getAlgorithm() != null) {
				error(errors, property, "ssl-bundles, jwk, key-id and algorithm are only used by client-authentication "
						+ "private_key_jwt: client_secret_jwt signs with HS256 and the client secret");
			}
			if (ClientAuthentication.isTooShortForClientSecretJwt(provider.getClientSecret())) {
				error(errors, prefix + ".client-secret", "is too short for client-authentication client_secret_jwt: "
						+ ClientAuthentication.CLIENT_SECRET_JWT_LENGTH);
			}
			return;
		}
		if (!keyConfigured) {
			error(errors, property + ".ssl-bundles", "or " + property + ".jwk is required for client-authentication "
					+ "private_key_jwt: the key the client assertion is signed with");
		}
		if (!assertion.getSslBundles().isEmpty() && assertion.getJwk() != null) {
			error(errors, property + ".jwk", "and " + property + ".ssl-bundles both name keys: use one of them");
		}
		if (assertion.getSslBundles().stream().anyMatch((bundle) -> !StringUtils.hasText(bundle))) {
			error(errors, property + ".ssl-bundles", "must name SSL bundles (spring.ssl.bundle.pem.<name> or .jks.<name>)");
		}
		if (assertion.getJwk() != null && !StringUtils.hasText(assertion.getJwk())) {
			error(errors, property + ".jwk", "must be the location of a JWK or JWK set file, such as file:/etc/keys/client.jwks");
		}
	}

	/**
	 * Nomba's token endpoint takes no proof and issues Bearer tokens only, which a DPoP provider refuses: every
	 * token request would fail. A key type without DPoP would be ignored.
	 */
	private void validateDpop(String property, TokenProperties.Provider provider, Errors errors) {
		DpopProperties dpop = provider.getDpop();
		if (dpop.isEnabled() && provider.getType() == ProviderType.NOMBA) {
			error(errors, property + ".enabled", "cannot be true for type nomba: Nomba's token endpoint issues "
					+ "Bearer tokens only");
		}
		if (!dpop.isEnabled() && dpop.getKeyType() != DpopKeyType.EC) {
			error(errors, property + ".key-type", "is only used when " + property + ".enabled is true");
		}
	}

	/**
	 * A property only another type reads would be ignored: the entry's type is what is wrong, or the property.
	 */
	private void validateOtherTypesProperties(String prefix, TokenProperties.Provider provider, Errors errors) {
		for (ProviderType other : ProviderType.values()) {
			List<ProviderDialect.OwnProperty> own = other.dialect().ownProperties();
			if (other != provider.getType() && own.stream().anyMatch((property) -> property.isSet(provider))) {
				error(errors, prefix + ".type", "must be " + other.name().toLowerCase(Locale.ROOT) + " to use "
						+ own.stream().map(ProviderDialect.OwnProperty::name).collect(Collectors.joining(" or ")));
			}
		}
	}

	private void validatePasswordGrant(String prefix, TokenProperties.Provider provider, Errors errors) {
		boolean password = provider.grantTypeOrDefault() == TokenGrantType.PASSWORD;
		// Without both, the provider serves only the users who sign in themselves (UserTokens).
		boolean user = provider.getUsername() != null;
		boolean secret = provider.getPassword() != null;
		if (password && (user || secret) && !StringUtils.hasText(provider.getUsername())) {
			error(errors, prefix + ".username", "is required for grant-type password when a password is set: "
					+ "the user the application signs in as (leave both out when users sign in themselves)");
		}
		if (password && (user || secret) && !StringUtils.hasText(provider.getPassword())) {
			error(errors, prefix + ".password", "is required for grant-type password when a username is set: "
					+ "that user's password (leave both out when users sign in themselves)");
		}
		if (!password && (provider.getUsername() != null || provider.getPassword() != null)) {
			error(errors, prefix + ".username", "and password are only used by grant-type password, not "
					+ provider.grantTypeOrDefault().name().toLowerCase());
		}
	}

	/**
	 * Token exchange and JWT bearer tokens are asked for per subject token: a provider that keeps one session per
	 * client would end one user's token with the next user's; start-up has no user's token to exchange; and
	 * Spring Security's clients, which these grants use, send forms and refuse tls_client_auth.
	 */
	private void validateDelegatedGrants(String prefix, TokenProperties.Provider provider, Errors errors) {
		TokenGrantType grant = provider.grantTypeOrDefault();
		String grantName = grant.name().toLowerCase(Locale.ROOT).replace('_', '-');
		boolean exchange = grant == TokenGrantType.TOKEN_EXCHANGE;
		boolean delegated = exchange || grant == TokenGrantType.JWT_BEARER;
		String requestedTokenType = provider.getRequestedTokenType();
		if (requestedTokenType != null && !exchange) {
			error(errors, prefix + ".requested-token-type", "is only used by grant-type token-exchange, not " + grantName);
		}
		if (requestedTokenType != null && !requestedTokenType.matches("[A-Za-z][A-Za-z0-9+.-]*:\\S+")) {
			error(errors, prefix + ".requested-token-type", "must be a token type URI, such as "
					+ "urn:ietf:params:oauth:token-type:access_token or urn:ietf:params:oauth:token-type:jwt");
		}
		if (!delegated) {
			return;
		}
		if (singleSession(provider)) {
			error(errors, prefix + ".sessions", "must be multiple for grant-type " + grantName
					+ ": each user's token is asked for on its own, and a provider that keeps one session per "
					+ "client would end the others");
		}
		if (exchange && Boolean.TRUE.equals(provider.getAcquireOnStartup())) {
			error(errors, prefix + ".acquire-on-startup", "cannot be true for grant-type token-exchange: start-up "
					+ "has no user's token to exchange");
		}
		if (TokenSettings.tokenRequestFormat(provider, this.properties.getDefaults()) != TokenRequestFormat.FORM) {
			error(errors, prefix + ".token-request-format", "must be form for grant-type " + grantName);
		}
		ClientAuthentication authentication = TokenSettings.clientAuthentication(provider,
				this.properties.getDefaults());
		if (authentication.isMutualTls()) {
			error(errors, prefix + ".client-authentication", "cannot be "
					+ authentication.name().toLowerCase(Locale.ROOT) + " for grant-type " + grantName
					+ " (not supported yet)");
		}
	}

	/**
	 * An actor's token is another provider's application token: that provider must exist, be another one, and
	 * get its token without a subject (an actor of token exchange would need a subject of its own, which an
	 * application token does not have).
	 */
	private void validateActor(String prefix, TokenProperties.Provider provider, Errors errors) {
		String actor = provider.getActor().getProvider();
		if (actor == null) {
			return;
		}
		String property = prefix + ".actor.provider";
		TokenGrantType grant = provider.grantTypeOrDefault();
		if (grant != TokenGrantType.TOKEN_EXCHANGE) {
			error(errors, property, "is only used by grant-type token-exchange, not "
					+ grant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
			return;
		}
		TokenProperties.Provider actorProvider = this.properties.getProviders().get(actor);
		if (actorProvider == null) {
			error(errors, property, "must name a provider of " + TokenProperties.PREFIX
					+ ".providers whose application token acts for the subject; there is none named '" + actor + "'");
		}
		else if (actorProvider == provider) {
			error(errors, property, "cannot name the provider itself, whose tokens are exchanged for a subject: "
					+ "name a provider entry with the same token-uri and client and grant-type client_credentials");
		}
		else if (actorProvider.grantTypeOrDefault() == TokenGrantType.TOKEN_EXCHANGE) {
			error(errors, property, "must name a provider with an application token of its own, not one of "
					+ "grant-type token-exchange ('" + actor + "' needs a subject token)");
		}
	}

	/**
	 * Says where an inherited value comes from, so the report does not send the user to a provider entry that
	 * does not mention it.
	 */
	private static String inherited(@Nullable Object own, String setting) {
		return (own != null) ? "" : " (from " + TokenProperties.PREFIX + ".defaults." + setting + ")";
	}

	/**
	 * Scopes are RFC 6749 scope tokens (NQCHAR: visible ASCII but for the quote and the backslash): Spring
	 * Security refuses any other when it builds the registration, without naming the property.
	 */
	private void validateScopes(String property, Set<String> scopes, Errors errors) {
		boolean malformed = scopes.stream()
			.anyMatch((scope) -> scope == null || scope.isEmpty() || !scope.chars()
				.allMatch((c) -> c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)));
		if (malformed) {
			error(errors, property, "must hold RFC 6749 scope tokens: no blank scopes, and no spaces, quotes, "
					+ "backslashes or characters outside ASCII");
		}
	}

	/**
	 * Headers go into every token request as written: a name that is no RFC 9110 token, or a value with a line
	 * break, would fail each request inside the HTTP client (or, sent, smuggle a header in), long after start-up.
	 */
	private void validateHeaders(String prefix, Map<String, String> headers, Errors errors) {
		headers.forEach((name, value) -> {
			String property = prefix + ".headers"
					+ (name.matches("[A-Za-z0-9-]+") ? "." + name : "[" + name + "]");
			if (name.isEmpty() || !name.chars().allMatch(TokenPropertiesValidator::isTokenCharacter)) {
				error(errors, property, "is not a header name: a name is letters, digits and !#$%&'*+-.^_`|~ only");
			}
			if (value != null && value.chars().anyMatch((c) -> c != '\t' && (c < 0x20 || c == 0x7F))) {
				error(errors, property, "must not contain control characters (line breaks and the like): a header "
						+ "value cannot carry them");
			}
		});
	}

	private static boolean isTokenCharacter(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
	}

	private void validateStatuses(String property, Set<Integer> statuses, Errors errors) {
		if (statuses.isEmpty()) {
			error(errors, property, "must name at least one HTTP status, such as 401");
		}
		for (Integer status : statuses) {
			if (status == null || status < 400 || status > 599) {
				error(errors, property, "must hold HTTP error statuses between 400 and 599, not " + status);
			}
		}
	}

	private void validateRefresh(String prefix, RefreshProperties refresh, Errors errors) {
		ratio(prefix + ".refresh-ahead-ratio", refresh.getRefreshAheadRatio(), false, errors);
		ratio(prefix + ".jitter", refresh.getJitter(), true, errors);
		positive(prefix + ".max-refresh-ahead", refresh.getMaxRefreshAhead(), errors);
		notNegative(prefix + ".expiry-margin", refresh.getExpiryMargin(), errors);
		atLeastOneSecond(prefix + ".default-lifetime", refresh.getDefaultLifetime(), errors);
		atLeastOneSecond(prefix + ".max-lifetime", refresh.getMaxLifetime(), errors);
		notNegative(prefix + ".failure-cooldown", refresh.getFailureCooldown(), errors);
		positive(prefix + ".idle-timeout", refresh.getIdleTimeout(), errors);
		positive(prefix + ".max-caller-wait", refresh.getMaxCallerWait(), errors);
	}

	/**
	 * A token without a stated lifetime is kept for default-lifetime, so that must be a lifetime a provider could
	 * state: max-lifetime bounds every stated one. Checked once for {@code token.defaults} (against the built-in
	 * values) and for each provider setting either lifetime of its own, naming the setting written there.
	 */
	private void validateLifetimes(String prefix, RefreshProperties own, RefreshProperties inherited, Errors errors) {
		Duration defaultLifetime = RefreshSettings.pick(own.getDefaultLifetime(), inherited.getDefaultLifetime(),
				RefreshSettings.BUILT_IN.defaultLifetime());
		Duration maxLifetime = RefreshSettings.pick(own.getMaxLifetime(), inherited.getMaxLifetime(),
				RefreshSettings.BUILT_IN.maxLifetime());
		if (defaultLifetime.compareTo(maxLifetime) <= 0) {
			return;
		}
		if (own.getDefaultLifetime() != null) {
			error(errors, prefix + ".default-lifetime", "(" + defaultLifetime + ") must not be longer than "
					+ "refresh.max-lifetime (" + maxLifetime + "), the longest lifetime a token may have");
		}
		else {
			error(errors, prefix + ".max-lifetime", "(" + maxLifetime + ") must not be shorter than "
					+ "refresh.default-lifetime (" + defaultLifetime + "), the lifetime of tokens that state none");
		}
	}

	private void validateRetry(String prefix, RetryProperties retry, Errors errors) {
		if (retry.getMaxAttempts() != null && retry.getMaxAttempts() < 1) {
			error(errors, prefix + ".max-attempts", "must be at least 1 (the first attempt counts), not "
					+ retry.getMaxAttempts());
		}
		notNegative(prefix + ".initial-backoff", retry.getInitialBackoff(), errors);
		notNegative(prefix + ".max-backoff", retry.getMaxBackoff(), errors);
		ratio(prefix + ".jitter", retry.getJitter(), true, errors);
		positive(prefix + ".timeout", retry.getTimeout(), errors);
		positive(prefix + ".request-timeout", retry.getRequestTimeout(), errors);
		positive(prefix + ".connect-timeout", retry.getConnectTimeout(), errors);
	}

	private void httpUrl(String property, @Nullable String value, Errors errors) {
		try {
			URI uri = new URI(value);
			String scheme = uri.getScheme();
			if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || uri.getHost() == null) {
				error(errors, property, "must be an absolute http or https URL with a host, not '" + value + "'");
			}
		}
		catch (URISyntaxException ex) {
			error(errors, property, "is not a valid URL (" + ex.getReason() + "): '" + value + "'");
		}
	}

	private void ratio(String property, @Nullable Double value, boolean zeroAllowed, Errors errors) {
		if (value != null && (value.isNaN() || value >= 1 || value < 0 || (!zeroAllowed && value == 0))) {
			error(errors, property, "must be " + (zeroAllowed ? "at least 0" : "more than 0") + " and less than 1, not "
					+ value);
		}
	}

	/**
	 * Timers and clients count in milliseconds: a positive duration shorter than one would be read as zero.
	 */
	private void positive(String property, @Nullable Duration value, Errors errors) {
		if (value != null && value.compareTo(Duration.ofMillis(1)) < 0) {
			error(errors, property, "must be a positive duration of at least 1ms, such as 30s, not " + value);
		}
	}

	/**
	 * Redisson takes its timeouts as milliseconds in an {@code int}.
	 */
	private void withinIntMillis(String property, @Nullable Duration value, Errors errors) {
		if (value != null && value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
			error(errors, property, "must be at most " + Integer.MAX_VALUE + "ms (24 days), not " + value);
		}
	}

	/**
	 * Token lifetimes are whole seconds ({@code expires_in}): a shorter one would be read as none at all.
	 */
	private void atLeastOneSecond(String property, @Nullable Duration value, Errors errors) {
		if (value != null && value.compareTo(Duration.ofSeconds(1)) < 0) {
			error(errors, property, "must be at least 1s, such as 5m, not " + value);
		}
	}

	private void notNegative(String property, @Nullable Duration value, Errors errors) {
		if (value != null && value.isNegative()) {
			error(errors, property, "must not be a negative duration, not " + value);
		}
	}

	/**
	 * Reports a problem on the property to correct: the report says the property, then the problem.
	 * @param errors where problems are reported
	 * @param property the full name of the property, such as {@code token.providers.payments.token-uri}
	 * @param problem what is wrong and what the property accepts, never a secret's value
	 */
	static void error(Errors errors, String property, String problem) {
		errors.reject(ERROR_CODE, new Object[] { property }, property + " " + problem);
	}

}
