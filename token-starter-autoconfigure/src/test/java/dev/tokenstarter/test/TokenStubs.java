package dev.tokenstarter.test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * WireMock stubs of a token endpoint at {@code /token} and a protected API at {@code /api}.
 */
public final class TokenStubs {

	public static final String TOKEN_PATH = "/token";

	public static final String API_PATH = "/api";

	private TokenStubs() {
	}

	public static ResponseDefinitionBuilder token(String value, int expiresIn) {
		return json("{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
	}

	public static ResponseDefinitionBuilder tokenWithRefresh(String value, int expiresIn, String refreshToken) {
		return json("{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
				+ ",\"refresh_token\":\"" + refreshToken + "\"}");
	}

	public static ResponseDefinitionBuilder json(String body) {
		return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
	}

	public static ResponseDefinitionBuilder error(int status, String code) {
		return aResponse().withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"error\":\"" + code + "\",\"error_description\":\"described " + code + "\"}");
	}

	public static MappingBuilder tokenRequest() {
		return post(urlPathEqualTo(TOKEN_PATH));
	}

	public static MappingBuilder clientCredentialsRequest() {
		return tokenRequest().withRequestBody(containing("grant_type=client_credentials"));
	}

	public static MappingBuilder refreshRequest() {
		return tokenRequest().withRequestBody(containing("grant_type=refresh_token"));
	}

	public static RequestPatternBuilder tokenRequests() {
		return postRequestedFor(urlPathEqualTo(TOKEN_PATH));
	}

	public static MappingBuilder apiWith(String token) {
		return get(urlPathEqualTo(API_PATH)).withHeader("Authorization", equalTo("Bearer " + token));
	}

	/**
	 * Stubs {@code request} to answer {@code responses} one after the other, the last one from then on.
	 */
	public static void inSequence(WireMockExtension server, Supplier<MappingBuilder> request,
			ResponseDefinitionBuilder... responses) {
		for (int i = 0; i < responses.length; i++) {
			String state = (i == 0) ? Scenario.STARTED : "step-" + i;
			ScenarioMappingBuilder mapping = request.get()
				.inScenario("sequence")
				.whenScenarioStateIs(state)
				.willReturn(responses[i]);
			if (i + 1 < responses.length) {
				mapping = mapping.willSetStateTo("step-" + (i + 1));
			}
			server.stubFor(mapping);
		}
	}

	public static int count(WireMockExtension server, RequestPatternBuilder pattern) {
		return server.countRequestsMatching(pattern.build()).getCount();
	}

	public static String[] providerProperties(WireMockExtension server, String name) {
		return new String[] { "token.providers." + name + ".token-uri=" + server.baseUrl() + TOKEN_PATH,
				"token.providers." + name + ".client-id=client-" + name,
				"token.providers." + name + ".client-secret=secret-" + name,
				"token.providers." + name + ".base-url=" + server.baseUrl(),
				"token.providers." + name + ".retry.initial-backoff=20ms",
				"token.scheduler.enabled=false" };
	}

	/**
	 * Reads an {@code application/x-www-form-urlencoded} token request body.
	 */
	public static Map<String, String> formParameters(String body) {
		Map<String, String> parameters = new HashMap<>();
		for (String pair : body.split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				parameters.put(pair.substring(0, equals),
						URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
		}
		return parameters;
	}

}
