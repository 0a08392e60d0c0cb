package dev.tokenstarter.config;

import java.util.Set;

/**
 * The token request parameters a grant sets itself, from the provider's settings, the key and the grant's own
 * state. Configured or per-key extra parameters must not name them: Spring Security's clients would send such a
 * parameter twice (which providers refuse as {@code invalid_request}), and the starter's own clients would let it
 * overwrite the grant's.
 */
public final class GrantParameters {

	private static final Set<String> SET_BY_THE_GRANT = Set.of("grant_type", "scope", "client_id", "client_secret",
			"client_assertion", "client_assertion_type", "username", "password", "refresh_token", "code",
			"code_verifier", "redirect_uri", "subject_token", "subject_token_type", "actor_token", "actor_token_type",
			"assertion");

	private GrantParameters() {
	}

	/**
	 * Whether a grant sets the parameter itself.
	 * @param name the parameter's name
	 * @return whether it may not be given as an extra parameter
	 */
	public static boolean isSetByTheGrant(String name) {
		return SET_BY_THE_GRANT.contains(name);
	}

}
