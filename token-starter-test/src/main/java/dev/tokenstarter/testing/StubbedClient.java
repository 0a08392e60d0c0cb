package dev.tokenstarter.testing;

import org.jspecify.annotations.Nullable;

/**
 * A client the stub knows, with what a real provider would check of its token requests.
 *
 * @param registrationId the name the application knows the provider by ({@code token.providers.<name>} or a
 * Spring Security registration id)
 * @param clientId the client's id
 * @param clientSecret the client's secret, or null when it has none
 * @param authentication how it authenticates, as an OAuth 2.0 client authentication method name
 * @param grantType the grant it obtains tokens with (refresh_token is accepted besides it)
 * @param username the user of a password grant, or null when any user may sign in
 * @param password that user's password, or null
 * @param accountId Nomba's parent account, expected in the {@code accountId} header, or null
 * @param json whether the token request comes as JSON rather than as a form
 */
record StubbedClient(String registrationId, String clientId, @Nullable String clientSecret, String authentication,
		String grantType, @Nullable String username, @Nullable String password, @Nullable String accountId,
		boolean json) {

	@Override
	public String toString() {
		return "StubbedClient[registrationId=" + this.registrationId + ", clientId=" + this.clientId
				+ ", authentication=" + this.authentication + ", grantType=" + this.grantType + "]";
	}

}
