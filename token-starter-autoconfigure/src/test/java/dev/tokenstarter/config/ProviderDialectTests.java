package dev.tokenstarter.config;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.validation.Errors;
import org.springframework.validation.ObjectError;
import org.springframework.validation.SimpleErrors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry of provider dialects: every {@link ProviderType} names a dialect of its own, and what a dialect
 * requires is reported on the properties of the entry it checks.
 */
class ProviderDialectTests {

	private static final String PREFIX = "token.providers.acme";

	@Test
	void everyTypeNamesADialectOfItsOwn() {
		assertThat(Arrays.stream(ProviderType.values()).map(ProviderType::dialect))
			.doesNotContainNull()
			.extracting(Object::getClass)
			.doesNotHaveDuplicates()
			.hasSize(ProviderType.values().length);
	}

	static Stream<Arguments> requirements() {
		return Stream.of(Arguments.of(ProviderType.OAUTH2, List.of(PREFIX + ".token-uri")),
				Arguments.of(ProviderType.WSO2, List.of(PREFIX + ".token-uri")),
				Arguments.of(ProviderType.NOMBA, List.of(PREFIX + ".account-id", PREFIX + ".base-url")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("requirements")
	void aDialectReportsWhatItRequiresOnTheEntrysOwnProperties(ProviderType type, List<String> properties) {
		TokenProperties.Provider provider = new TokenProperties.Provider();
		provider.setType(type);
		assertThat(properties(validate(provider))).containsExactlyElementsOf(properties);
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(ProviderType.class)
	void aDialectFindsNothingToReportOnACompleteEntry(ProviderType type) {
		TokenProperties.Provider provider = new TokenProperties.Provider();
		provider.setType(type);
		provider.setTokenUri("https://auth.example.com/token");
		provider.setBaseUrl("https://api.example.com");
		provider.setAccountId((type == ProviderType.NOMBA) ? "account" : null);
		assertThat(validate(provider).getAllErrors()).isEmpty();
	}

	@Test
	void nombaRefusesAnotherGrantOnTheGrantType() {
		TokenProperties.Provider provider = new TokenProperties.Provider();
		provider.setType(ProviderType.NOMBA);
		provider.setNombaEnvironment(NombaEnvironment.SANDBOX);
		provider.setAccountId("account");
		provider.setGrantType(TokenGrantType.PASSWORD);
		Errors errors = validate(provider);
		assertThat(properties(errors)).containsExactly(PREFIX + ".grant-type");
		assertThat(errors.getGlobalError().getDefaultMessage())
			.isEqualTo(PREFIX + ".grant-type must be client_credentials for type nomba");
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(value = ProviderType.class, names = "NOMBA", mode = EnumSource.Mode.EXCLUDE)
	void propertiesOnlyNombaReadsAreRefusedOnOtherTypesNamingTheType(ProviderType type) {
		TokenProperties properties = new TokenProperties();
		TokenProperties.Provider provider = new TokenProperties.Provider();
		provider.setType(type);
		provider.setTokenUri("https://auth.example.com/token");
		provider.setClientId("id");
		provider.setClientSecret("secret");
		provider.setUsername((type == ProviderType.WSO2) ? "svc" : null);
		provider.setPassword((type == ProviderType.WSO2) ? "pw" : null);
		provider.setNombaEnvironment(NombaEnvironment.SANDBOX);
		properties.getProviders().put("acme", provider);
		Errors errors = new SimpleErrors(properties);
		new TokenPropertiesValidator(properties).validate(errors);
		assertThat(errors.getAllErrors()).extracting(ObjectError::getDefaultMessage)
			.containsExactly(PREFIX + ".type must be nomba to use account-id or nomba-environment");
	}

	private static Errors validate(TokenProperties.Provider provider) {
		ProviderDialect dialect = provider.getType().dialect();
		Errors errors = new SimpleErrors(provider);
		dialect.validate(PREFIX, provider, dialect.endpoints(provider), errors);
		return errors;
	}

	private static List<Object> properties(Errors errors) {
		return errors.getAllErrors().stream().map((error) -> error.getArguments()[0]).toList();
	}

}
