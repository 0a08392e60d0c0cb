package dev.tokenstarter.test;

import java.util.Map;

import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;

/**
 * Users as Spring Security's {@code oauth2Login()} signs them in, for tests of what happens to a signed-in user.
 */
public final class SignedInUsers {

	private SignedInUsers() {
	}

	/**
	 * Returns a user signed in through a registration.
	 * @param registrationId the registration the user logged in with
	 * @param name the user's name (its {@code sub})
	 * @return the user's authentication
	 */
	public static OAuth2AuthenticationToken login(String registrationId, String name) {
		DefaultOAuth2User user = new DefaultOAuth2User(AuthorityUtils.createAuthorityList("ROLE_USER"),
				Map.of("sub", name), "sub");
		return new OAuth2AuthenticationToken(user, user.getAuthorities(), registrationId);
	}

}
