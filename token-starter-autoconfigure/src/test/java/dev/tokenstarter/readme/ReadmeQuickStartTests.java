package dev.tokenstarter.readme;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.tokenstarter.autoconfigure.TokenClientsAutoConfiguration;
import dev.tokenstarter.autoconfigure.TokenEngineAutoConfiguration;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's Quick start as printed: its Java compiles as it stands (imports included), and its YAML and Java start
 * an application with the clients it promises, whose HTTP interface calls the API with the provider's token.
 */
class ReadmeQuickStartTests {

	private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

	@RegisterExtension
	static final WireMockExtension server = EngineTestSupport.provider();

	@Test
	void quickStartCompilesAndStartsAsPrinted(@TempDir Path classes) throws Exception {
		String quickStart = quickStart();
		List<String> java = blocks(quickStart, "java");
		String yaml = blocks(quickStart, "yaml").get(0);
		assertThat(java).as("the Quick start shows an HTTP interface, then TokenClients").hasSize(2);
		for (String source : java) {
			compile(source, classes);
		}
		server.stubFor(tokenRequest().willReturn(token("T1", 300)));
		server.stubFor(get(urlPathEqualTo("/v1/payments/42")).withHeader("Authorization", equalTo("Bearer T1"))
			.willReturn(ok("paid")));
		try (URLClassLoader loader = new URLClassLoader(new URL[] { classes.toUri().toURL() },
				getClass().getClassLoader())) {
			Class<?>[] configurations = new Class<?>[java.size()];
			for (int i = 0; i < configurations.length; i++) {
				configurations[i] = loader.loadClass(className(java.get(i)));
			}
			Class<?> payments = loader.loadClass("Payments");
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class,
						ImperativeHttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
						WebClientAutoConfiguration.class, RestClientAutoConfiguration.class,
						HttpServiceClientPropertiesAutoConfiguration.class, HttpServiceClientAutoConfiguration.class,
						TokenEngineAutoConfiguration.class, TokenClientsAutoConfiguration.class))
				.withInitializer((context) -> {
					MutablePropertySources sources = context.getEnvironment().getPropertySources();
					yamlSources(yaml).forEach(sources::addFirst);
					// The provider of the test, in place of the README's example.com.
					sources.addFirst(new MapPropertySource("test provider",
							Map.of("token.providers.payments.token-uri", server.baseUrl() + TokenStubs.TOKEN_PATH,
									"token.providers.payments.base-url", server.baseUrl())));
				})
				.withPropertyValues("PAYMENTS_CLIENT_ID=id", "PAYMENTS_CLIENT_SECRET=secret")
				.withClassLoader(loader)
				.withUserConfiguration(configurations)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context).getBean("payments").isInstanceOf(WebClient.class);
					assertThat(context).getBean("paymentsRest").isInstanceOf(RestClient.class);
					Method get = payments.getMethod("get", String.class);
					get.setAccessible(true);
					assertThat(get.invoke(context.getBean(payments), "42")).isEqualTo("paid");
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

	private static List<String> blocks(String text, String language) {
		List<String> blocks = new ArrayList<>();
		Matcher matcher = BLOCK.matcher(text);
		while (matcher.find()) {
			if (matcher.group(1).equals(language)) {
				blocks.add(matcher.group(2));
			}
		}
		assertThat(blocks).as("The Quick start's " + language + " blocks").isNotEmpty();
		return blocks;
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
			// -parameters as Spring Boot's build plugins compile: @PathVariable takes its name from it.
			List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d",
					classes.toString(), "-proc:none", "-parameters");
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
