package dev.tokenstarter.config;

import org.springframework.util.Assert;

/**
 * What a registration's name may hold. The names of its stored tokens and of their locks join it to a principal's
 * name with a colon, and a user's name may hold colons: were registration names allowed them too, registration
 * {@code a:b}'s user {@code c} and registration {@code a}'s user {@code b:c} would share one entry, and each be
 * served the other's token.
 */
public final class RegistrationNames {

	/**
	 * Why a name was refused, after the property or registration that holds it.
	 */
	public static final String RULE = "must not hold ':', which joins a registration's name to a principal's in the "
			+ "names of stored tokens and their locks: two registrations' users could share one token";

	private RegistrationNames() {
	}

	/**
	 * Whether a registration's name can be told apart from a principal's in the names it is stored under.
	 * @param registrationId the registration's name
	 * @return whether it holds no colon
	 */
	public static boolean isValid(String registrationId) {
		return registrationId.indexOf(':') < 0;
	}

	/**
	 * Refuses a registration's name that cannot be told apart from a principal's.
	 * @param registrationId the registration's name
	 * @throws IllegalArgumentException when it holds a colon
	 */
	public static void require(String registrationId) {
		Assert.isTrue(isValid(registrationId), () -> "Registration '" + registrationId + "' " + RULE);
	}

}
