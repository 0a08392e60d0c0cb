package dev.tokenstarter.client;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.tokenstarter.engine.TokenKey;
import dev.tokenstarter.engine.TokenKeyAttributes;

/**
 * Which provider's token a filter or interceptor puts on a call: its own provider's for calls that name none, and
 * for calls that name a registration, that registration's when the engine serves it.
 *
 * @param provider the provider of calls that name none, or null to leave them untouched
 * @param selectable the providers calls may name, or null to use {@code provider} whatever they name
 */
record ProviderRouting(@Nullable ProviderApi provider, @Nullable ProviderApis selectable) {

	ProviderRouting {
		Assert.isTrue(provider != null || selectable != null, "provider and selectable cannot both be null");
	}

	/**
	 * Routing of every call to one provider, whatever the call names.
	 */
	static ProviderRouting to(ProviderApi provider) {
		return new ProviderRouting(provider, null);
	}

	/**
	 * Whether a call that named {@code selected} goes to {@link #provider()} (when there is none, it goes
	 * untouched): it named nothing, or named that same provider.
	 */
	boolean toOwnProvider(@Nullable String selected) {
		return selected == null || (this.provider != null && selected.equals(this.provider.registrationId()));
	}

	/**
	 * Returns the registration a call names: the one it names ({@code @ClientRegistrationId}), or, for routing
	 * with no provider of its own, the one of the {@link TokenKey} it carries, which names its provider too.
	 * Without that, a call naming only its key would go untouched, without a token, to a 401 nothing renews.
	 * @param named the registration the call names, or null
	 * @param attributes the call's attributes
	 * @return the registration, or null when it names none
	 */
	@Nullable String selection(@Nullable String named, Map<String, Object> attributes) {
		if (named != null || this.provider != null) {
			return named;
		}
		return (attributes.get(TokenKeyAttributes.TOKEN_KEY) instanceof TokenKey key) ? key.registrationId() : null;
	}

}
