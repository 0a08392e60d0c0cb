package dev.tokenstarter.testing;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A WireMock extension for the stub of an application's API: every stubbed answer becomes a 401 (with
 * {@code WWW-Authenticate: Bearer error="invalid_token"}) unless the request carries a bearer token that a
 * {@link TokenProviderStub} issued and still holds valid. Register it with the API's server
 * ({@code wireMockConfig().extensions(new BearerTokenCheck())}); it applies to every stub of that server.
 *
 * <p>It needs no reference to the provider stub, which starts with the application context, after the API's server:
 * it asks every open stub in this JVM. Tokens are random, so only the stub that issued one knows it.
 */
public final class BearerTokenCheck implements ResponseDefinitionTransformerV2 {

	@Override
	public String getName() {
		return "token-provider-stub-bearer-check";
	}

	@Override
	public ResponseDefinition transform(ServeEvent serveEvent) {
		String authorization = serveEvent.getRequest().getHeader("Authorization");
		if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			String token = authorization.substring(7).trim();
			TokenProviderStub issuer = TokenProviderStub.issuerOf(token);
			if (issuer != null && issuer.isActive(token)) {
				return serveEvent.getResponseDefinition();
			}
		}
		return ResponseDefinitionBuilder.responseDefinition()
			.withStatus(401)
			.withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
			.build();
	}

}
