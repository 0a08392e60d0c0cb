package dev.tokenstarter.engine;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.util.Assert;

/**
 * Whose token a {@link TokenKey} names, as Spring Security's grants and the token store see it: its name is the
 * name the token is stored under.
 *
 * <p>For the application itself as the owner of a provider's tokens: Client-credentials tokens belong to the
 * application, not to whichever user's request needed them, so every caller shares one token per provider. The
 * name carries a fingerprint of what the token is for (token endpoint, client, grant, scopes, extra parameters,
 * and for the password grant the user signed in as), so two configurations never share a token by accident,
 * even in a shared store.
 *
 * <p>The user of a password grant is {@code token.providers.<name>.username}: the principal is computed once,
 * when a provider is first used, and cannot wait there for a {@code PasswordCredentialsResolver} that may ask a
 * vault. A resolver therefore signs in as the configured user (it may supply the password, or the same username
 * from elsewhere); credentials of another user are refused, since that user's tokens would be stored under the
 * configured user's name.
 */
final class KeyPrincipal extends AbstractAuthenticationToken {

	private final String name;

	private KeyPrincipal(String name) {
		super(AuthorityUtils.NO_AUTHORITIES);
		this.name = name;
		setAuthenticated(true);
	}

	/**
	 * Returns the principal of a registration's application tokens.
	 * @param registration the client registration
	 * @param parameters extra token request parameters
	 * @param username the user a password grant signs in as, or null; only its hash becomes part of the name
	 * @return the principal
	 */
	static KeyPrincipal application(ClientRegistration registration, Map<String, String> parameters,
			@Nullable String username) {
		StringBuilder purpose = new StringBuilder()
			.append(registration.getProviderDetails().getTokenUri())
			.append('\n')
			.append(registration.getClientId())
			.append('\n')
			.append(registration.getAuthorizationGrantType().getValue())
			.append('\n')
			.append(requestText(registration.getScopes(), parameters));
		if (username != null) {
			// Appended only when present, so that the tokens other grants already stored keep their names.
			purpose.append('\n').append(username);
		}
		return new KeyPrincipal(TokenKey.APPLICATION_PREFIX + sha256(purpose.toString()).substring(0, 16));
	}

	/**
	 * Returns the principal of a named principal's tokens. The name is the principal's own for the provider's
	 * configured request, so that it matches what Spring Security stores for a user; with scopes or parameters of
	 * its own, or a name that holds the separator, a fingerprint of the request follows after a {@code #}, which
	 * keeps every (principal, request) pair on a name of its own: among the names of a registration that is no
	 * login (see {@link #login}), the part after the last {@code #} is always a fingerprint, and a name without one
	 * is always a principal with the configured request.
	 * <p>The key rides along as the principal's details: a grant that needs to know whose token it requests
	 * (the password grant of a signed-in user) reads the principal's own name there, not the stored name.
	 * @param key a key with a principal
	 * @return the principal
	 */
	static KeyPrincipal named(TokenKey key) {
		String principal = key.principal();
		Assert.notNull(principal, "key must name a principal");
		KeyPrincipal named = new KeyPrincipal(storeName(principal, key.scopes(), key.parameters(), null));
		named.setDetails(key);
		return named;
	}

	/**
	 * Returns the principal of a user's login session: the user's name as it is, since Spring Security's login
	 * saves the user's authorized client under it, {@code #} or not (Entra ID's guest names hold two). A login's
	 * keys have no scopes or parameters of their own, so no key of the registration has a fingerprint to collide
	 * with.
	 * @param key a key with a principal and no scopes or parameters
	 * @return the principal
	 */
	static KeyPrincipal login(TokenKey key) {
		String principal = key.principal();
		Assert.notNull(principal, "key must name a principal");
		Assert.isTrue(key.scopes().isEmpty() && key.parameters().isEmpty(),
				"a login's key has no scopes or parameters of its own");
		KeyPrincipal login = new KeyPrincipal(principal);
		login.setDetails(key);
		return login;
	}

	/**
	 * Returns the principal of the tokens obtained with a subject token: named after the subject token's hash,
	 * never the token, with the request's fingerprint like {@link #named}. A token exchange with an actor has the
	 * actor in its fingerprint (the actor's provider and the name its application token is stored under, which
	 * fingerprints its endpoint, client and request), so that tokens of two actors, or of one actor provider
	 * reconfigured as another client, never share a name in a shared store.
	 * @param subjectHash the subject token's SHA-256
	 * @param scopes the scopes asked for, empty for the registration's
	 * @param parameters the parameters added to the provider's
	 * @param actor the actor's provider and application token's store name, or null without an actor
	 * @return the principal
	 */
	static KeyPrincipal subject(String subjectHash, Set<String> scopes, Map<String, String> parameters,
			@Nullable String actor) {
		return new KeyPrincipal(storeName(TokenKey.SUBJECT_PREFIX + subjectHash, scopes, parameters, actor));
	}

	private static String storeName(String principal, Set<String> scopes, Map<String, String> parameters,
			@Nullable String actor) {
		if (scopes.isEmpty() && parameters.isEmpty() && actor == null && principal.indexOf('#') < 0) {
			return principal;
		}
		String request = requestText(scopes, parameters);
		if (actor != null) {
			// Appended only when present, so that tokens stored without an actor keep their names.
			request += "\nactor " + actor;
		}
		return principal + '#' + sha256(request).substring(0, 16);
	}

	/**
	 * Writes scopes and parameters so that no two requests read alike. Plain ones, as nearly every request is,
	 * keep the text the names of stored tokens were first made from ({@code [a, b]\n{k=v}}), which reads one way
	 * only while no part holds its separators: {@code ", "} between elements, a line break between scopes and
	 * parameters, {@code =} in a parameter's name. A request with such a part (an audience
	 * {@code "x, resource=y"} reads as audience {@code x} and resource {@code y}) is written with every part
	 * URL-encoded instead, after a first line the plain text cannot start with.
	 */
	private static String requestText(Set<String> scopes, Map<String, String> parameters) {
		if (scopes.stream().allMatch(KeyPrincipal::isPlain)
				&& parameters.entrySet()
					.stream()
					.allMatch((parameter) -> isPlain(parameter.getKey()) && parameter.getKey().indexOf('=') < 0
							&& isPlain(parameter.getValue()))) {
			return new TreeSet<>(scopes) + "\n" + new TreeMap<>(parameters);
		}
		StringJoiner text = new StringJoiner("&", "encoded\n", "");
		new TreeSet<>(scopes).forEach((scope) -> text.add("scope=" + encode(scope)));
		new TreeMap<>(parameters).forEach((name, value) -> text.add(encode(name) + "=" + encode(value)));
		return text.toString();
	}

	/**
	 * Whether a scope, parameter name or value holds none of the separators of the plain text.
	 */
	private static boolean isPlain(String part) {
		return !part.contains(", ") && part.indexOf('\n') < 0;
	}

	private static String encode(String part) {
		return URLEncoder.encode(part, StandardCharsets.UTF_8);
	}

	static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform must support SHA-256", ex);
		}
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public Object getPrincipal() {
		return this.name;
	}

	@Override
	public Object getCredentials() {
		return "";
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof KeyPrincipal principal && this.name.equals(principal.name);
	}

	@Override
	public int hashCode() {
		return this.name.hashCode();
	}

}
