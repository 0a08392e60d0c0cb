package dev.tokenstarter.engine;

import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Chooses a {@link TokenKey} per request through request attributes: those of a {@code WebClient} or
 * {@code RestClient} request ({@code .attributes(TokenKeyAttributes.tokenKey(key))}) and those of Spring
 * Security's {@code OAuth2AuthorizeRequest}. Without the attribute, a request gets its provider's application
 * token.
 */
public final class TokenKeyAttributes {

	/** The attribute that holds the key. */
	public static final String TOKEN_KEY = TokenKey.class.getName();

	private TokenKeyAttributes() {
	}

	/**
	 * Returns what sets the key of a request's token, for the {@code attributes(...)} of a request builder.
	 * @param key the key
	 * @return the attribute setter
	 */
	public static Consumer<Map<String, Object>> tokenKey(TokenKey key) {
		Assert.notNull(key, "key must not be null");
		return (attributes) -> attributes.put(TOKEN_KEY, key);
	}

	/**
	 * Returns the key a request's attributes choose for a provider: the key they hold when it is that
	 * provider's, otherwise the provider's application key.
	 * @param registrationId the provider the request goes to
	 * @param attributes the request's attributes
	 * @return the key
	 * @throws IllegalArgumentException when the attributes hold a key of another provider
	 */
	public static TokenKey key(String registrationId, Map<String, Object> attributes) {
		TokenKey key = find(registrationId, attributes);
		return (key != null) ? key : TokenKey.application(registrationId);
	}

	/**
	 * Returns the key a request's attributes hold for a provider, or null when they hold none: for callers that
	 * serve the application token without building its key.
	 * @param registrationId the provider the request goes to
	 * @param attributes the request's attributes
	 * @return the key, or null
	 * @throws IllegalArgumentException when the attributes hold a key of another provider
	 */
	public static @Nullable TokenKey find(String registrationId, Map<String, Object> attributes) {
		Object key = attributes.get(TOKEN_KEY);
		if (!(key instanceof TokenKey tokenKey)) {
			return null;
		}
		// On every keyed call: a plain test, not Assert's message supplier, which captures both names per call.
		if (!tokenKey.registrationId().equals(registrationId)) {
			throw new IllegalArgumentException("The request's token key is for provider '" + tokenKey.registrationId()
					+ "' but the request goes through provider '" + registrationId + "'");
		}
		return tokenKey;
	}

}
