package dev.tokenstarter.config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;

/**
 * What a provider's {@link ProviderType} means for its settings, in one place per type: the defaults the type
 * implies, the endpoints it completes, the headers it adds, the properties only it reads, and what it requires of
 * the configuration. {@link TokenSettings}, the {@link TokenPropertiesValidator validator} and
 * {@link ProviderClientRegistrations} ask the dialect and never test the type themselves.
 *
 * <p>A new provider type is a class implementing this interface and a {@link ProviderType} constant naming an
 * instance of it. The class provides:
 * <ul>
 * <li>{@link #defaultGrantType()} and {@link #defaultSessions()}: what the type implies when neither the provider
 * nor {@code token.defaults} says;</li>
 * <li>{@link #clientAuthentication(ClientAuthentication)}: the configured client authentication, or the one the
 * type's token endpoint requires whatever is configured;</li>
 * <li>{@link #endpoints(TokenProperties.Provider)}: the configured URLs, completed by those the type implies;</li>
 * <li>{@link #tokenRequestHeaders(TokenProperties.Provider)} and {@link #apiHeaders(TokenProperties.Provider)}:
 * headers the type requires on token requests and on API calls;</li>
 * <li>{@link #ownProperties()}: the properties only this type reads, which the other types then refuse;</li>
 * <li>{@link #validate}: each problem reported on the property to correct, saying what it accepts.</li>
 * </ul>
 * How the type speaks at its token endpoint (the token clients of its grants, how its answers and errors are read,
 * how its tokens are revoked) is code that needs HTTP clients, one floor up in the grant package: a type whose
 * token endpoint speaks RFC 6749 uses the standard one there, any other adds its own (the grant package does not
 * compile until it says which).
 */
interface ProviderDialect {

	/**
	 * Returns the grant used when the provider sets no {@code grant-type}.
	 */
	TokenGrantType defaultGrantType();

	/**
	 * Returns how many sessions the provider keeps per client when neither the provider nor the defaults say.
	 */
	SessionPolicy defaultSessions();

	/**
	 * Returns how the client authenticates at the token endpoint.
	 * @param configured the provider's own {@code client-authentication}, or the inherited one
	 * @return the configured one, unless the type's token endpoint only accepts another
	 */
	ClientAuthentication clientAuthentication(ClientAuthentication configured);

	/**
	 * Returns the provider's URLs: those configured, completed by what the type implies.
	 * @param provider the provider's properties
	 * @return the URLs, each null when neither configured nor implied
	 */
	ProviderEndpoints endpoints(TokenProperties.Provider provider);

	/**
	 * Returns the headers the type requires on every token request; they win over configured ones of the same name.
	 * @param provider the provider's properties
	 * @return the headers, empty when none
	 */
	Map<String, String> tokenRequestHeaders(TokenProperties.Provider provider);

	/**
	 * Returns the headers every API call through the provider's clients carries unless it sets them itself.
	 * @param provider the provider's properties
	 * @return the headers, empty when none
	 */
	Map<String, String> apiHeaders(TokenProperties.Provider provider);

	/**
	 * Returns the properties of a {@code token.providers} entry that only this type reads.
	 */
	List<OwnProperty> ownProperties();

	/**
	 * Reports what the type requires of a provider entry and finds missing or wrong, each problem on the
	 * property to correct (see {@link TokenPropertiesValidator#error}). Settings every type shares (credentials,
	 * URLs' syntax, the password grant's user, timings) are checked by the validator.
	 * @param prefix the entry's property prefix, such as {@code token.providers.payments}
	 * @param provider the entry's properties
	 * @param endpoints the entry's URLs as {@link #endpoints} completes them
	 * @param errors where problems are reported
	 */
	void validate(String prefix, TokenProperties.Provider provider, ProviderEndpoints endpoints, Errors errors);

	/**
	 * A property only one type reads.
	 *
	 * @param name the property's name within a provider entry, such as {@code account-id}
	 * @param value reads the property's value from an entry; null when it is not set
	 */
	record OwnProperty(String name, Function<TokenProperties.Provider, @Nullable Object> value) {

		boolean isSet(TokenProperties.Provider provider) {
			return this.value.apply(provider) != null;
		}

	}

}
