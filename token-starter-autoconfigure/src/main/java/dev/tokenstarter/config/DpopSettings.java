package dev.tokenstarter.config;

import org.jspecify.annotations.Nullable;

/**
 * The resolved DPoP settings of a provider whose tokens are DPoP-bound.
 *
 * @param property the prefix of the provider's dpop properties, for messages
 * @param keyType the type of the provider's key pair
 */
public record DpopSettings(String property, DpopKeyType keyType) {

	static @Nullable DpopSettings of(String name, TokenProperties.Provider provider) {
		DpopProperties dpop = provider.getDpop();
		return dpop.isEnabled()
				? new DpopSettings(TokenProperties.PREFIX + ".providers." + name + ".dpop", dpop.getKeyType()) : null;
	}

}
