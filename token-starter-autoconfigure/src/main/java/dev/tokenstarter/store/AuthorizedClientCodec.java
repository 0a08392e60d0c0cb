package dev.tokenstarter.store;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

import org.springframework.security.jackson.SecurityJacksonModules;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

/**
 * Writes the tokens of an authorized client as JSON with Spring Security's own Jackson support, and reads them
 * back. The client registration is not written (it holds the client secret, and the application has it
 * anyway): it is supplied again on reading. A DPoP-bound token is written with the thumbprint of its key, so that
 * every instance sends it with that key; values written before there was one read as tokens bound to no key.
 */
public class AuthorizedClientCodec {

	private final JsonMapper mapper;

	public AuthorizedClientCodec() {
		List<JacksonModule> modules = SecurityJacksonModules.getModules(getClass().getClassLoader(),
				BasicPolymorphicTypeValidator.builder().allowIfSubType(StoredTokens.class));
		this.mapper = JsonMapper.builder().addModules(modules).build();
	}

	/**
	 * Serialises the client's tokens.
	 * @param client the authorized client
	 * @return JSON bytes
	 */
	public byte[] encode(OAuth2AuthorizedClient client) {
		return encode(client, null);
	}

	/**
	 * Serialises the client's tokens with the key its access token is bound to.
	 * @param client the authorized client
	 * @param keyThumbprint the RFC 7638 thumbprint of the DPoP key the access token is bound to, or null
	 * @return JSON bytes
	 */
	public byte[] encode(OAuth2AuthorizedClient client, @Nullable String keyThumbprint) {
		OAuth2AccessToken token = client.getAccessToken();
		if (OAuth2AccessToken.TokenType.BEARER.equals(token.getTokenType())) {
			return this.mapper
				.writeValueAsBytes(new StoredTokens(token, client.getRefreshToken(), null, keyThumbprint));
		}
		// Spring Security's Jackson support reads Bearer tokens only (it turns any other type into none, which
		// the token refuses): another type is written beside the token, which is written as if Bearer.
		OAuth2AccessToken asBearer = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, token.getTokenValue(),
				token.getIssuedAt(), token.getExpiresAt(), token.getScopes());
		return this.mapper.writeValueAsBytes(new StoredTokens(asBearer, client.getRefreshToken(),
				token.getTokenType().getValue(), keyThumbprint));
	}

	/**
	 * Rebuilds an authorized client from bytes written by {@link #encode}.
	 * @param json the bytes
	 * @param registration the client's registration
	 * @param principalName the client's principal
	 * @return the authorized client
	 * @throws TamperedValueException when the bytes are not a stored client
	 */
	public OAuth2AuthorizedClient decode(byte[] json, ClientRegistration registration, String principalName) {
		return decodeBound(json, registration, principalName).client();
	}

	/**
	 * Rebuilds an authorized client from bytes written by {@link #encode}, with the key its token is bound to.
	 * @param json the bytes
	 * @param registration the client's registration
	 * @param principalName the client's principal
	 * @return the authorized client and its key's thumbprint
	 * @throws TamperedValueException when the bytes are not a stored client
	 */
	public BoundClient decodeBound(byte[] json, ClientRegistration registration, String principalName) {
		try {
			StoredTokens tokens = this.mapper.readValue(json, StoredTokens.class);
			if (tokens == null || tokens.accessToken() == null) {
				throw new TamperedValueException("Stored value holds no access token");
			}
			return new BoundClient(new OAuth2AuthorizedClient(registration, principalName, accessToken(tokens),
					tokens.refreshToken()), tokens.keyThumbprint());
		}
		catch (JacksonException ex) {
			throw new TamperedValueException("Stored value is not a stored authorized client", ex);
		}
	}

	private static OAuth2AccessToken accessToken(StoredTokens tokens) {
		OAuth2AccessToken token = tokens.accessToken();
		String type = tokens.tokenType();
		if (type == null) {
			return token;
		}
		if (!OAuth2AccessToken.TokenType.DPOP.getValue().equalsIgnoreCase(type)) {
			throw new TamperedValueException("Stored value holds a token of an unknown type");
		}
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.DPOP, token.getTokenValue(), token.getIssuedAt(),
				token.getExpiresAt(), token.getScopes());
	}

	/**
	 * A stored authorized client and the DPoP key its access token is bound to.
	 *
	 * @param client the authorized client
	 * @param keyThumbprint the key's RFC 7638 thumbprint, or null when the token is bound to none (or was
	 * stored before thumbprints were)
	 */
	public record BoundClient(OAuth2AuthorizedClient client, @Nullable String keyThumbprint) {

	}

	/**
	 * What is stored of an authorized client.
	 *
	 * @param accessToken the access token
	 * @param refreshToken the refresh token, if any
	 * @param tokenType the access token's type when it is not Bearer ({@code DPoP}), the access token itself
	 * being written as Bearer; absent from values written before DPoP tokens were stored
	 * @param keyThumbprint the thumbprint of the DPoP key the access token is bound to, if any: absent from
	 * values written before DPoP tokens were stored
	 */
	public record StoredTokens(OAuth2AccessToken accessToken, @Nullable OAuth2RefreshToken refreshToken,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String tokenType,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String keyThumbprint) {

	}

}
