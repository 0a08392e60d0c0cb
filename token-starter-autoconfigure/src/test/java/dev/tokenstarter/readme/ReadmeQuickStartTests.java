package dev.tokenstarter.readme;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's Quick start as printed: its Java compiles as it stands (imports included), and its YAML and Java start
 * an application with the clients it promises.
 */
class ReadmeQuickStartTests {

	private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

	@Test
	void quickStartCompilesAndStartsAsPrinted(@TempDir Path classes) throws Exception {
		String quickStart = quickStart();
		String java = block(quickStart, "java");
		String yaml = block(quickStart, "yaml");
		compile(java, classes);
		try (URLClassLoader loader = new URLClassLoader(new URL[] { classes.toUri().toURL() },
				getClass().getClassLoader())) {
			Class<?> configuration = loader.loadClass(className(java));
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class,
						RestClientAutoConfiguration.class, TokenEngineAutoConfiguration.class,
						TokenClientsAutoConfiguration.class))
				.withInitializer((context) -> yamlSources(yaml)
					.forEach((source) -> context.getEnvironment().getPropertySources().addFirst(source)))
				.withPropertyValues("PAYMENTS_CLIENT_ID=id", "PAYMENTS_CLIENT_SECRET=secret")
				.withUserConfiguration(configuration)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context).getBean("payments").isInstanceOf(WebClient.class);
					assertThat(context).getBean("paymentsRest").isInstanceOf(RestClient.class);
				});
		}
	}

	private static String quickStart() throws IOException {
		String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
		int start = readme.indexOf("## Quick start");
		assertThat(start).as("README has a Quick start").isNotNegative();
		int end = readme.indexOf("\n## ", start + 1);
		return readme.substring(start, (end < 0) ? readme.length() : end);
	}

	private static String block(String text, String language) {
		Matcher matcher = BLOCK.matcher(text);
		while (matcher.find()) {
			if (matcher.group(1).equals(language)) {
				return matcher.group(2);
			}
		}
		throw new AssertionError("The Quick start has no " + language + " block");
	}

	private static String className(String java) {
		Matcher matcher = Pattern.compile("class (\\w+)").matcher(java);
		assertThat(matcher.find()).as("the Java block declares a class").isTrue();
		return matcher.group(1);
	}

	private static void compile(String java, Path classes) throws IOException {
		Path source = classes.resolve(className(java) + ".java");
		Files.writeString(source, java, StandardCharsets.UTF_8);
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
		try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
			List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d",
					classes.toString(), "-proc:none");
			boolean compiled = compiler.getTask(null, files, diagnostics, options, null,
					files.getJavaFileObjects(source.toFile())).call();
			assertThat(compiled).as("README's Quick start compiles: %s", diagnostics.getDiagnostics()).isTrue();
		}
	}

	private static List<PropertySource<?>> yamlSources(String yaml) {
		try {
			return new ArrayList<>(new YamlPropertySourceLoader().load("README Quick start",
					new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8))));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
