package dev.tokenstarter.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

/**
 * The application itself as the owner of a provider's tokens. Client-credentials tokens belong to the
 * application, not to whichever user's request needed them, so every caller shares one token per provider. The
 * name carries a fingerprint of what the token is for (token endpoint, client, grant, scopes, extra parameters),
 * so two configurations never share a token by accident, even in a shared store.
 */
final class ApplicationPrincipal extends AbstractAuthenticationToken {

	private final String name;

	private ApplicationPrincipal(String name) {
		super(AuthorityUtils.NO_AUTHORITIES);
		this.name = name;
		setAuthenticated(true);
	}

	static ApplicationPrincipal of(ClientRegistration registration, Map<String, String> parameters) {
		StringBuilder purpose = new StringBuilder()
			.append(registration.getProviderDetails().getTokenUri())
			.append('\n')
			.append(registration.getClientId())
			.append('\n')
			.append(registration.getAuthorizationGrantType().getValue())
			.append('\n')
			.append(new TreeSet<>(registration.getScopes()))
			.append('\n')
			.append(new TreeMap<>(parameters));
		return new ApplicationPrincipal("app:" + sha256(purpose.toString()).substring(0, 16));
	}

	private static String sha256(String text) {
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
	public boolean equals(Object other) {
		return other instanceof ApplicationPrincipal principal && this.name.equals(principal.name);
	}

	@Override
	public int hashCode() {
		return this.name.hashCode();
	}

}
