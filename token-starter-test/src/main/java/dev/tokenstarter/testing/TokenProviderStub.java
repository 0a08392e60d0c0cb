package dev.tokenstarter.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * An in-process token provider, started for a test's application context by {@link AutoConfigureTokenProvider}:
 * a bean of that context, and a parameter of its test methods. A test sets the lifetime of the tokens it issues,
 * makes token requests fail, revokes what it issued, and inspects the token requests it answered; an API stub asks
 * it whether a token is valid ({@link #isActive}, {@link BearerTokenCheck}).
 *
 * <p>It is strict as a real provider is: a token request must come with the configured client's id, secret and
 * authentication method, its grant type (or a refresh token the stub issued to it, used once), the user's password
 * for a password grant, and Nomba's {@code accountId} header. Nomba and WSO2 (and providers with
 * {@code sessions: single}) end a client's earlier tokens when they issue a new one.
 *
 * <p>Between tests (after each test method of a class with the annotation) it forgets what the test set and
 * revokes every token issued, and the application's tokens of the stubbed providers are revoked, so that each test
 * starts with no token held and no token request recorded.
 */
public final class TokenProviderStub {

	private static final Set<TokenProviderStub> OPEN = new CopyOnWriteArraySet<>();

	private final TokenEndpoint endpoint;

	private final WireMockServer server;

	private volatile int port;

	TokenProviderStub(Clock clock, Duration lifetime) {
		this.endpoint = new TokenEndpoint(clock, lifetime);
		this.server = new WireMockServer(
				options().bindAddress("127.0.0.1").dynamicPort().gzipDisabled(true).extensions(this.endpoint));
	}

	/**
	 * Starts the server on a free port; the providers are served once {@link #serve} names them.
	 */
	void start() {
		this.server.start();
		this.port = this.server.port();
		this.server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TokenEndpoint.NAME)));
		OPEN.add(this);
	}

	void serve(List<StubbedProvider> providers) {
		this.endpoint.serve(providers);
	}

	Set<String> registrationIds() {
		return this.endpoint.registrationIds();
	}

	void stop() {
		OPEN.remove(this);
		this.server.stop();
	}

	/**
	 * Returns the stub's URL, such as {@code http://127.0.0.1:43512}.
	 */
	public String url() {
		return "http://127.0.0.1:" + this.port;
	}

	/**
	 * Sets the lifetime of the tokens issued from now on (the annotation's {@code tokenLifetime} until then).
	 * @param lifetime a positive duration
	 */
	public void setTokenLifetime(Duration lifetime) {
		Assert.notNull(lifetime, "lifetime cannot be null");
		Assert.isTrue(!lifetime.isNegative() && !lifetime.isZero(), "lifetime must be positive");
		this.endpoint.setLifetime(lifetime);
	}

	/**
	 * Makes the next token request, of any provider, fail as {@code failure} says.
	 * @param failure how it fails
	 */
	public void failNext(TokenFailure failure) {
		fail(null, failure, true);
	}

	/**
	 * Makes the next token request of one provider fail as {@code failure} says.
	 * @param provider the provider's name ({@code token.providers.<name>} or the registration id)
	 * @param failure how it fails
	 */
	public void failNext(String provider, TokenFailure failure) {
		fail(served(provider), failure, true);
	}

	/**
	 * Makes every token request, of any provider, fail as {@code failure} says, until {@link #recover}.
	 * @param failure how they fail
	 */
	public void failAll(TokenFailure failure) {
		fail(null, failure, false);
	}

	/**
	 * Makes every token request of one provider fail as {@code failure} says, until {@link #recover}.
	 * @param provider the provider's name ({@code token.providers.<name>} or the registration id)
	 * @param failure how they fail
	 */
	public void failAll(String provider, TokenFailure failure) {
		fail(served(provider), failure, false);
	}

	private void fail(@Nullable String provider, TokenFailure failure, boolean once) {
		Assert.notNull(failure, "failure cannot be null");
		this.endpoint.fail(provider, failure, once);
	}

	/**
	 * Answers token requests normally again.
	 */
	public void recover() {
		this.endpoint.recover();
	}

	/**
	 * Revokes every access and refresh token issued so far, as a provider does when a client's credentials are
	 * rotated: APIs that ask {@link #isActive} refuse them from now on, and refresh tokens no longer work.
	 * @return how many access tokens were valid until now
	 */
	public int revokeAll() {
		return this.endpoint.revokeAll();
	}

	/**
	 * Returns the token requests answered since the test began, refusals included, in order.
	 */
	public List<TokenRequest> tokenRequests() {
		return this.endpoint.requests();
	}

	/**
	 * Returns one provider's token requests answered since the test began, refusals included, in order.
	 * @param provider the provider's name ({@code token.providers.<name>} or the registration id)
	 */
	public List<TokenRequest> tokenRequests(String provider) {
		String served = served(provider);
		return tokenRequests().stream().filter((request) -> request.provider().equals(served)).toList();
	}

	/**
	 * Checks that the stub serves the named provider: a misspelt name would set up a failure that never happens,
	 * or count no requests, and the test would pass for the wrong reason.
	 */
	private String served(String provider) {
		Assert.notNull(provider, "provider cannot be null");
		Set<String> served = this.endpoint.registrationIds();
		Assert.isTrue(served.contains(provider), () -> "The stub serves no provider '" + provider + "'; it serves "
				+ String.join(", ", served));
		return provider;
	}

	/**
	 * Returns whether an API should accept an access token: the stub issued it, has not revoked it, and it has not
	 * expired. A token refused here counts as one {@link #apiRejections() API rejection}.
	 * @param accessToken the token's value
	 */
	public boolean isActive(String accessToken) {
		Assert.notNull(accessToken, "accessToken cannot be null");
		return this.endpoint.accepts(accessToken);
	}

	/**
	 * Returns how many times an API was told to refuse a token this stub issued ({@link #isActive},
	 * {@link BearerTokenCheck}) since the test began: the 401s a test expects the application to have recovered
	 * from.
	 */
	public int apiRejections() {
		return this.endpoint.apiRejections();
	}

	/**
	 * Forgets what a test did: the lifetime goes back to the annotation's, failures end, every token issued is
	 * revoked, and the records of token requests and API rejections are cleared. Called after each test method.
	 */
	public void reset() {
		this.endpoint.reset();
	}

	/**
	 * Returns the open stub that issued {@code accessToken}, or null when none did.
	 */
	static @Nullable TokenProviderStub issuerOf(String accessToken) {
		for (TokenProviderStub stub : OPEN) {
			if (stub.endpoint.issued(accessToken)) {
				return stub;
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return "TokenProviderStub[" + url() + "]";
	}

}
