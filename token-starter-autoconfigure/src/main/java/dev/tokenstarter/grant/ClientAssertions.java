package dev.tokenstarter.grant;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.endpoint.NimbusJwtClientAuthenticationParametersConverter;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.util.Assert;
import org.springframework.util.MultiValueMap;

import dev.tokenstarter.config.ClientAssertionAudience;
import dev.tokenstarter.config.ClientAssertionSettings;
import dev.tokenstarter.config.TokenSettings;
import dev.tokenstarter.ssl.ClientAssertionKeys;
import dev.tokenstarter.ssl.ClientAssertionKeys.ClientAssertionKey;

/**
 * Makes the client assertion of a registration that authenticates with private_key_jwt or client_secret_jwt
 * (RFC 7523 section 2.2), with Spring Security's {@link NimbusJwtClientAuthenticationParametersConverter} for
 * Spring's token clients and ours alike: {@code iss} and {@code sub} the client id, {@code aud} the token
 * endpoint or the issuer, a random {@code jti}, {@code iat} and a 60 s {@code exp} from the injected clock. A new
 * assertion for every request, retries included, since providers refuse a {@code jti} they have seen.
 */
final class ClientAssertions {

	/** RFC 7523 leaves the lifetime to the server; Entra ID and Keycloak accept a minute, FAPI asks for no more. */
	private static final Duration LIFETIME = Duration.ofSeconds(60);

	private final NimbusJwtClientAuthenticationParametersConverter<AbstractOAuth2AuthorizationGrantRequest> converter;

	private final ClientAssertionKeys keys;

	private final TokenSettings settings;

	private final Clock clock;

	ClientAssertions(ClientAssertionKeys keys, TokenSettings settings, Clock clock) {
		Assert.notNull(keys, "keys must not be null");
		Assert.notNull(settings, "settings must not be null");
		Assert.notNull(clock, "clock must not be null");
		this.keys = keys;
		this.settings = settings;
		this.clock = clock;
		this.converter = new NimbusJwtClientAuthenticationParametersConverter<>(this::signingKey);
		this.converter.setJwtClientAssertionCustomizer(this::customize);
	}

	/**
	 * Returns the {@code client_assertion_type} and {@code client_assertion} parameters of a request.
	 * @param request the request to authenticate
	 * @return the parameters, or null when the registration does not authenticate with an assertion
	 */
	@Nullable MultiValueMap<String, String> parameters(AbstractOAuth2AuthorizationGrantRequest request) {
		return this.converter.convert(request);
	}

	/**
	 * A provider's key; for client_secret_jwt the secret as an HS256 key, which serves registrations from
	 * elsewhere too.
	 */
	private @Nullable JWK signingKey(ClientRegistration registration) {
		if (ClientAuthenticationMethod.CLIENT_SECRET_JWT.equals(registration.getClientAuthenticationMethod())) {
			return new OctetSequenceKey.Builder(registration.getClientSecret().getBytes(StandardCharsets.UTF_8))
				.algorithm(JWSAlgorithm.HS256)
				.build();
		}
		ClientAssertionKey key = this.keys.signingKey(registration.getRegistrationId());
		return (key != null) ? key.jwk() : null;
	}

	private void customize(
			NimbusJwtClientAuthenticationParametersConverter.JwtClientAuthenticationContext<AbstractOAuth2AuthorizationGrantRequest> context) {
		ClientRegistration registration = context.getAuthorizationGrantRequest().getClientRegistration();
		Instant now = this.clock.instant();
		context.getClaims().issuedAt(now).expiresAt(now.plus(LIFETIME));
		ClientAssertionSettings assertion = this.settings.clientAssertion(registration.getRegistrationId());
		if (assertion != null && assertion.audience() == ClientAssertionAudience.ISSUER && assertion.issuer() != null) {
			context.getClaims().audience(List.of(assertion.issuer()));
		}
		ClientAssertionKey key = this.keys.signingKey(registration.getRegistrationId());
		if (key != null && key.x509Sha1Thumbprint() != null) {
			context.getHeaders().x509SHA1Thumbprint(key.x509Sha1Thumbprint());
		}
	}

}
