package dev.tokenstarter.user;

import dev.tokenstarter.grant.TokenAcquisitionException;
import dev.tokenstarter.grant.TokenErrors;

/**
 * A user's token is gone (revoked at the provider, or its refresh refused) and this instance does not hold the
 * user's credentials to sign in again: the user must sign in. A {@link TokenAcquisitionException} with error code
 * {@value #ERROR_CODE}, so that code catching token failures catches it too; not Spring Security's
 * {@code ClientAuthorizationRequiredException}, which Spring's OAuth2 client filters answer with a redirect to the
 * provider's authorization endpoint, something a password-grant provider has no use for.
 */
public class SignInRequiredException extends TokenAcquisitionException {

	/** The error code of this failure. */
	public static final String ERROR_CODE = TokenErrors.SIGN_IN_REQUIRED;

	/**
	 * Creates the failure of a provider's user token.
	 * @param provider the provider's name
	 */
	public SignInRequiredException(String provider) {
		super(provider, ERROR_CODE, "the user must sign in: the user's token is no longer valid and this instance "
				+ "does not hold the user's credentials", false, null);
	}

	@Override
	public SignInRequiredException copy() {
		return new SignInRequiredException(getProvider());
	}

}
