package dev.tokenstarter.engine;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

import dev.tokenstarter.config.GrantParameters;

/**
 * Which token a caller needs: a provider's, for whom (the application itself, or a named principal such as a user
 * or a calling service), and for what (scopes, audience, resource, other token request parameters). Two keys that
 * differ in anything never share a token, in this process or in the shared store; one key is renewed once per
 * fleet.
 *
 * <p>The {@linkplain #application(String) application key} of a provider is its token as configured: the
 * registration's scopes and the provider's parameters. Scopes named here replace the registration's; parameters
 * named here are added to the provider's (and replace those of the same name).
 *
 * <p>Immutable, with its hash computed once, so that it can key a cache on the hot path.
 */
public final class TokenKey {

	/** Token request parameter of RFC 8707 resource indicators. */
	public static final String RESOURCE = "resource";

	/** Token request parameter that most providers (Auth0, Okta, WSO2) read as the audience. */
	public static final String AUDIENCE = "audience";

	/**
	 * Prefix of the names under which application tokens are stored; a principal named with it could reach the
	 * application's token.
	 */
	static final String APPLICATION_PREFIX = "app:";

	/**
	 * Prefix of the names under which tokens obtained with a subject token are stored, followed by the subject
	 * token's hash; a principal named with it could reach another user's token.
	 */
	static final String SUBJECT_PREFIX = "subject-token:";

	private final String registrationId;

	private final @Nullable String principal;

	private final Set<String> scopes;

	private final Map<String, String> parameters;

	private final @Nullable OAuth2Token subjectToken;

	/** The subject token's SHA-256, which stands for it wherever the key is compared or named. */
	private final @Nullable String subjectHash;

	/** The provider whose application token acts for the subject, when the key names one of its own. */
	private final @Nullable String actor;

	private final int hash;

	private TokenKey(String registrationId, @Nullable String principal, Set<String> scopes,
			Map<String, String> parameters, @Nullable OAuth2Token subjectToken, @Nullable String actor) {
		this.registrationId = registrationId;
		this.principal = principal;
		this.scopes = scopes;
		this.parameters = parameters;
		this.subjectToken = subjectToken;
		this.subjectHash = (subjectToken != null) ? KeyPrincipal.sha256(subjectToken.getTokenValue()) : null;
		this.actor = actor;
		this.hash = Objects.hash(registrationId, principal, scopes, parameters, this.subjectHash, actor);
	}

	/**
	 * Whether a principal's name is one the engine gives the application's own tokens (see
	 * {@link #application(String)}), rather than a user's or a caller's.
	 * @param principalName the name an authorized client is stored under
	 * @return whether it names the application
	 */
	public static boolean isApplicationPrincipal(String principalName) {
		return principalName.startsWith(APPLICATION_PREFIX);
	}

	/**
	 * Returns the key of a provider's application token, as configured.
	 * @param registrationId the provider's name
	 * @return the key
	 */
	public static TokenKey application(String registrationId) {
		Assert.hasText(registrationId, "registrationId must not be empty");
		return new TokenKey(registrationId, null, Set.of(), Map.of(), null, null);
	}

	/**
	 * Returns the key of a provider's token acting for the subject of an authentication's token: a resource
	 * server's {@code JwtAuthenticationToken} or {@code BearerTokenAuthentication}, any authentication whose
	 * credentials are an OAuth2 token, which becomes the key's subject token.
	 * @param registrationId the provider's name (a token exchange or JWT bearer provider)
	 * @param authentication the authentication of the request being served, or null
	 * @return the key, or null when there is no authentication or it carries no OAuth2 token
	 */
	public static @Nullable TokenKey forSubjectOf(String registrationId, @Nullable Authentication authentication) {
		return (authentication != null && authentication.getCredentials() instanceof OAuth2Token token)
				? forProvider(registrationId).subjectToken(token).build() : null;
	}

	/**
	 * Starts a key for a provider's token.
	 * @param registrationId the provider's name
	 * @return a builder; with nothing more set, it builds the application key
	 */
	public static Builder forProvider(String registrationId) {
		Assert.hasText(registrationId, "registrationId must not be empty");
		return new Builder(registrationId);
	}

	public String registrationId() {
		return this.registrationId;
	}

	/**
	 * Returns whose token it is, or null for the application's.
	 */
	public @Nullable String principal() {
		return this.principal;
	}

	/**
	 * Returns the scopes asked for, or an empty set for the registration's own.
	 */
	public Set<String> scopes() {
		return this.scopes;
	}

	/**
	 * Returns the token request parameters added to the provider's, sorted by name.
	 */
	public Map<String, String> parameters() {
		return this.parameters;
	}

	/**
	 * Whether the token is asked for on behalf of a subject token's subject (token exchange, JWT bearer).
	 */
	public boolean hasSubjectToken() {
		return this.subjectToken != null;
	}

	/**
	 * Returns the subject token, or null. Not public: the key hands it to the grant only.
	 */
	@Nullable OAuth2Token subjectToken() {
		return this.subjectToken;
	}

	/**
	 * Returns the subject token's SHA-256 in hex, or null.
	 */
	@Nullable String subjectHash() {
		return this.subjectHash;
	}

	/**
	 * Returns the provider whose application token this key's token exchange sends as the actor token, when the
	 * key names one instead of the provider's configured {@code actor.provider}.
	 */
	public @Nullable String actor() {
		return this.actor;
	}

	/**
	 * Whether this is the provider's application token as configured.
	 */
	public boolean isApplication() {
		return this.principal == null && this.scopes.isEmpty() && this.parameters.isEmpty()
				&& this.subjectToken == null;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		return other instanceof TokenKey key && this.hash == key.hash && this.registrationId.equals(key.registrationId)
				&& Objects.equals(this.principal, key.principal) && this.scopes.equals(key.scopes)
				&& this.parameters.equals(key.parameters) && Objects.equals(this.subjectHash, key.subjectHash)
				&& Objects.equals(this.actor, key.actor);
	}

	@Override
	public int hashCode() {
		return this.hash;
	}

	/**
	 * Names the provider (and the actor's) and says whether a principal, a subject token, scopes or parameters are
	 * set; never their values, which may name a user or carry something private.
	 */
	@Override
	public String toString() {
		return "TokenKey[" + this.registrationId + ((this.principal != null) ? ", principal"
				: (this.subjectToken != null) ? ", subject token" : ", application")
				+ (this.scopes.isEmpty() ? "" : ", " + this.scopes.size() + " scope(s)")
				+ (this.parameters.isEmpty() ? "" : ", parameters " + this.parameters.keySet())
				+ ((this.actor != null) ? ", actor " + this.actor : "") + "]";
	}

	/**
	 * Builds a {@link TokenKey}.
	 */
	public static final class Builder {

		private final String registrationId;

		private @Nullable String principal;

		private final Set<String> scopes = new TreeSet<>();

		private final Map<String, String> parameters = new TreeMap<>();

		private @Nullable OAuth2Token subjectToken;

		private @Nullable String actor;

		private Builder(String registrationId) {
			this.registrationId = registrationId;
		}

		/**
		 * Names whose token it is. Without it, the token is the application's.
		 * @param principal the principal's name, such as a user name or a calling service's id
		 * @return this builder
		 */
		public Builder principal(String principal) {
			Assert.hasText(principal, "principal must not be empty");
			Assert.isTrue(!principal.startsWith(APPLICATION_PREFIX),
					() -> "A principal's name must not start with '" + APPLICATION_PREFIX
							+ "', which names application tokens");
			Assert.isTrue(!principal.startsWith(SUBJECT_PREFIX), () -> "A principal's name must not start with '"
					+ SUBJECT_PREFIX + "', which names tokens obtained with a subject token");
			this.principal = principal;
			return this;
		}

		/**
		 * Asks for these scopes instead of the registration's.
		 * @param scopes the scopes
		 * @return this builder
		 */
		public Builder scopes(Collection<String> scopes) {
			Assert.notNull(scopes, "scopes must not be null");
			scopes.forEach((scope) -> Assert.hasText(scope, "a scope must not be empty"));
			this.scopes.addAll(scopes);
			return this;
		}

		public Builder scopes(String... scopes) {
			return scopes(List.of(scopes));
		}

		/**
		 * Asks for a token for an audience (the {@value #AUDIENCE} parameter).
		 * @param audience the audience
		 * @return this builder
		 */
		public Builder audience(String audience) {
			return parameter(AUDIENCE, audience);
		}

		/**
		 * Asks for a token for a resource (RFC 8707, the {@value #RESOURCE} parameter).
		 * @param resource the resource's absolute URI
		 * @return this builder
		 */
		public Builder resource(String resource) {
			return parameter(RESOURCE, resource);
		}

		/**
		 * Adds a token request parameter, replacing the provider's parameter of that name.
		 * @param name the parameter's name
		 * @param value its value
		 * @return this builder
		 */
		public Builder parameter(String name, String value) {
			Assert.hasText(name, "a parameter name must not be empty");
			Assert.isTrue(!StringUtils.containsWhitespace(name), "a parameter name must not contain whitespace");
			Assert.hasText(value, () -> "parameter '" + name + "' must not be empty");
			Assert.isTrue(!GrantParameters.isSetByTheGrant(name),
					() -> "parameter '" + name + "' is set by the grant itself and cannot be part of a key");
			this.parameters.put(name, value);
			return this;
		}

		/**
		 * Asks for a token on behalf of this token's subject, for a provider whose grant is token exchange (the
		 * subject token) or JWT bearer (the assertion, which must then be a {@code Jwt}). The token itself is held
		 * in memory only: the key is compared, and its token stored, by the token's hash. A key has either a
		 * subject token or a principal.
		 * @param subjectToken the token a user's request brought, such as the {@code getToken()} of a
		 * {@code JwtAuthenticationToken} or a {@code BearerTokenAuthentication}
		 * @return this builder
		 */
		public Builder subjectToken(OAuth2Token subjectToken) {
			Assert.notNull(subjectToken, "subjectToken must not be null");
			Assert.hasText(subjectToken.getTokenValue(), "the subject token's value must not be empty");
			this.subjectToken = subjectToken;
			return this;
		}

		/**
		 * Asks for a token exchange whose actor (RFC 8693 {@code actor_token}) is this provider's application
		 * token, instead of the provider's configured {@code token.providers.<name>.actor.provider}. Tokens
		 * obtained for different actors are different tokens: the actor is part of the key, and of the name the
		 * token is stored under.
		 * @param actorRegistrationId the name of the provider whose application token acts for the subject
		 * @return this builder
		 */
		public Builder actor(String actorRegistrationId) {
			Assert.hasText(actorRegistrationId, "actorRegistrationId must not be empty");
			this.actor = actorRegistrationId;
			return this;
		}

		public TokenKey build() {
			Assert.isTrue(this.principal == null || this.subjectToken == null,
					"A key has a principal or a subject token, not both: the subject token says whose token it is");
			Assert.isTrue(this.actor == null || this.subjectToken != null,
					"A key with an actor needs a subject token: the actor acts for the subject token's subject");
			return new TokenKey(this.registrationId, this.principal,
					this.scopes.isEmpty() ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(this.scopes)),
					this.parameters.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(this.parameters)),
					this.subjectToken, this.actor);
		}

	}

}
