package dev.tokenstarter.config;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The resolved client-assertion settings of a provider that authenticates with private_key_jwt or
 * client_secret_jwt.
 *
 * @param property the prefix of the provider's client-assertion properties, for messages
 * @param sslBundles the SSL bundles holding the keys, the signing one first; empty when none
 * @param jwk location of the JWK or JWK set file, or null
 * @param keyId the configured key id, or null
 * @param algorithm the configured algorithm, or null to follow the key's type
 * @param audience what the {@code aud} claim names
 * @param issuer the provider's issuer-uri, or null
 */
public record ClientAssertionSettings(String property, List<String> sslBundles, @Nullable String jwk,
		@Nullable String keyId, @Nullable ClientAssertionAlgorithm algorithm, ClientAssertionAudience audience,
		@Nullable String issuer) {

	static ClientAssertionSettings of(String name, TokenProperties.Provider provider) {
		ClientAssertionProperties assertion = provider.getClientAssertion();
		return new ClientAssertionSettings(TokenProperties.PREFIX + ".providers." + name + ".client-assertion",
				List.copyOf(assertion.getSslBundles()), assertion.getJwk(), assertion.getKeyId(),
				assertion.getAlgorithm(), assertion.getAudience(), provider.getIssuerUri());
	}

}
