package com.example.payments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's "Testing your application" prints {@link PaymentsTests} as it stands, so the example compiles and passes
 * in this build.
 */
class ReadmeTestingSectionTests {

	@Test
	void theReadmeExampleIsPaymentsTests() throws IOException {
		String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
		int section = readme.indexOf("\n## Testing your application\n");
		assertThat(section).isPositive();
		int start = readme.indexOf("```java\n", section) + "```java\n".length();
		int end = readme.indexOf("```", start);
		String source = Files.readString(Path.of("src/test/java/com/example/payments/PaymentsTests.java"),
				StandardCharsets.UTF_8);

		assertThat(readme.substring(start, end)).isEqualTo(source.replace("\t", "    "));
	}

}
