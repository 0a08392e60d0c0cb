package dev.tokenstarter.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata the build generates (what IDEs show while a user types {@code token.}) describes
 * the settings, lists the allowed values and covers the health indicator's switch.
 */
class ConfigurationMetadataTests {

	private static JsonNode metadata;

	@BeforeAll
	static void readGeneratedMetadata() throws Exception {
		// The module's own build output, not another jar's metadata found first on the class path.
		Path classes = Path.of(TokenProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		Path file = classes.resolve("META-INF/spring-configuration-metadata.json");
		assertThat(file).exists();
		metadata = JsonMapper.builder().build().readTree(Files.readString(file));
	}

	@Test
	void providersAndEveryInheritableSettingAreDescribed() {
		assertThat(property("token.providers").path("description").asString()).contains("Token providers by name",
				"client-secret", "token.defaults");
		for (String setting : List.of("scopes", "audience", "parameters", "headers", "client-authentication",
				"token-request-format", "sessions", "unauthorized-statuses", "refresh.idle-timeout",
				"retry.max-attempts")) {
			assertThat(property("token.defaults." + setting).path("description").asString()).as(setting)
				.isNotBlank();
		}
	}

	@Test
	void defaultValuesOfInheritableSettingsAreListed() {
		assertThat(property("token.defaults.client-authentication").path("defaultValue").asString())
			.isEqualTo("client_secret_basic");
		assertThat(property("token.defaults.token-request-format").path("defaultValue").asString()).isEqualTo("form");
		assertThat(property("token.defaults.refresh.max-caller-wait").path("defaultValue").asString()).isEqualTo("5s");
	}

	@Test
	void valuesOfEnumeratedSettingsAreHintedWithTheirMeaning() {
		// Every way a client can authenticate, so that an IDE offers each one with its meaning.
		assertThat(hintValues("token.defaults.client-authentication")).containsExactlyInAnyOrderElementsOf(
				Arrays.stream(ClientAuthentication.values()).map((value) -> value.name().toLowerCase(Locale.ROOT))
					.toList());
		assertThat(hintValues("token.defaults.token-request-format")).containsExactly("form", "json");
		assertThat(hintValues("token.defaults.sessions")).containsExactly("single", "multiple");
		assertThat(hintValues("token.store.type")).containsExactly("memory", "redis");
		assertThat(hint("token.defaults.sessions").path("values").get(0).path("description").asString())
			.contains("Nomba");
	}

	@Test
	void healthIndicatorSwitchIsDescribed() {
		JsonNode enabled = property("management.health.tokens.enabled");
		assertThat(enabled.path("type").asString()).isEqualTo("java.lang.Boolean");
		assertThat(enabled.path("defaultValue").asBoolean()).isTrue();
		assertThat(enabled.path("description").asString()).contains("tokens health");
	}

	private static JsonNode property(String name) {
		return find("properties", name);
	}

	private static JsonNode hint(String name) {
		return find("hints", name);
	}

	private static List<String> hintValues(String name) {
		return StreamSupport.stream(hint(name).path("values").spliterator(), false)
			.map((value) -> value.path("value").asString())
			.toList();
	}

	private static JsonNode find(String section, String name) {
		return StreamSupport.stream(metadata.path(section).spliterator(), false)
			.filter((item) -> name.equals(item.path("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + section + " entry " + name + " in the generated metadata"));
	}

}
