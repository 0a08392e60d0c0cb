package dev.tokenstarter.config;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.validation.Errors;
import org.springframework.validation.ObjectError;
import org.springframework.validation.SimpleErrors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two entries of one single-session client would end each other's sessions with every token they obtain, however
 * their token endpoint is given.
 */
class SingleSessionClientValidationTests {

	private static final String ISSUER = "https://sso.example.com/realms/payments";

	@Test
	void twoEntriesOfOneClientAtOneIssuerAreRefusedNamingTheSecond() {
		TokenProperties properties = new TokenProperties();
		properties.getProviders().put("orders", discovered("orders-client"));
		properties.getProviders().put("reports", discovered("orders-client"));
		assertThat(validate(properties)).containsExactly("token.providers.reports.client-id is also the client of "
				+ "token.providers.orders at the same token endpoint, and the provider keeps a single session per "
				+ "client (sessions: single): each entry's tokens would end the other's session. Use one entry for "
				+ "the client, or set sessions: multiple on both if the provider keeps parallel sessions");
	}

	@Test
	void entriesOfOtherClientsAtOneIssuerAreAccepted() {
		TokenProperties properties = new TokenProperties();
		properties.getProviders().put("orders", discovered("orders-client"));
		properties.getProviders().put("reports", discovered("reports-client"));
		assertThat(validate(properties)).isEmpty();
	}

	private static TokenProperties.Provider discovered(String clientId) {
		TokenProperties.Provider provider = new TokenProperties.Provider();
		provider.setIssuerUri(ISSUER);
		provider.setClientId(clientId);
		provider.setClientSecret("secret");
		provider.setSessions(SessionPolicy.SINGLE);
		return provider;
	}

	private static List<String> validate(TokenProperties properties) {
		Errors errors = new SimpleErrors(properties);
		new TokenPropertiesValidator(properties).validate(errors);
		return errors.getAllErrors().stream().map(ObjectError::getDefaultMessage).toList();
	}

}
