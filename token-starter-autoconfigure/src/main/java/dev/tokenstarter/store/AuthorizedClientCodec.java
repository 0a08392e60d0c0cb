package dev.tokenstarter.store;

import java.util.List;

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
 * anyway): it is supplied again on reading.
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
		return this.mapper.writeValueAsBytes(new StoredTokens(client.getAccessToken(), client.getRefreshToken()));
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
		try {
			StoredTokens tokens = this.mapper.readValue(json, StoredTokens.class);
			if (tokens == null || tokens.accessToken() == null) {
				throw new TamperedValueException("Stored value holds no access token");
			}
			return new OAuth2AuthorizedClient(registration, principalName, tokens.accessToken(), tokens.refreshToken());
		}
		catch (JacksonException ex) {
			throw new TamperedValueException("Stored value is not a stored authorized client", ex);
		}
	}

	/**
	 * What is stored of an authorized client.
	 *
	 * @param accessToken the access token
	 * @param refreshToken the refresh token, if any
	 */
	public record StoredTokens(OAuth2AccessToken accessToken, @Nullable OAuth2RefreshToken refreshToken) {

	}

}
