package dev.tokenstarter.test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * A token endpoint that rotates refresh tokens like WSO2 or Keycloak with rotation on: every refresh issues a
 * new refresh token and retires the old one; presenting a retired one is answered {@code invalid_grant} and
 * counted as a reuse.
 */
public final class RotatingRefreshTokenProvider implements ResponseDefinitionTransformerV2 {

	private final int lifetimeSeconds;

	private final AtomicInteger issued = new AtomicInteger();

	private final AtomicInteger authentications = new AtomicInteger();

	private final AtomicInteger refreshes = new AtomicInteger();

	private final AtomicInteger reuses = new AtomicInteger();

	private final Set<String> live = ConcurrentHashMap.newKeySet();

	public RotatingRefreshTokenProvider(int lifetimeSeconds) {
		this.lifetimeSeconds = lifetimeSeconds;
	}

	@Override
	public String getName() {
		return "rotating-refresh-tokens";
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

	@Override
	public synchronized ResponseDefinition transform(ServeEvent serveEvent) {
		Map<String, String> form = TokenStubs.formParameters(serveEvent.getRequest().getBodyAsString());
		if ("refresh_token".equals(form.get("grant_type"))) {
			if (!this.live.remove(form.get("refresh_token"))) {
				this.reuses.incrementAndGet();
				return aResponse().withStatus(400)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"error\":\"invalid_grant\"}")
					.build();
			}
			this.refreshes.incrementAndGet();
		}
		else {
			this.authentications.incrementAndGet();
		}
		int n = this.issued.incrementAndGet();
		this.live.add("R" + n);
		return aResponse().withStatus(200)
			.withFixedDelay(serveEvent.getResponseDefinition().getFixedDelayMilliseconds())
			.withHeader("Content-Type", "application/json")
			.withBody("{\"access_token\":\"A" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":" + this.lifetimeSeconds
					+ ",\"refresh_token\":\"R" + n + "\"}")
			.build();
	}

	public int authentications() {
		return this.authentications.get();
	}

	public int refreshes() {
		return this.refreshes.get();
	}

	public int reuses() {
		return this.reuses.get();
	}

}
