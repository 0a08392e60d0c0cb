package dev.tokenstarter.autoconfigure;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.aot.AotDetector;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.ReflectionHintsPredicates;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationAotProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.aot.AbstractAotProcessor.Settings;
import org.springframework.context.aot.AotApplicationContextInitializer;
import org.springframework.core.SpringProperties;
import org.springframework.javapoet.ClassName;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.observe.TokensEndpoint;
import dev.tokenstarter.store.AuthorizedClientCodec.StoredTokens;
import dev.tokenstarter.store.RedisAuthorizedClientService;
import dev.tokenstarter.test.EngineTestSupport;
import dev.tokenstarter.test.FleetTestSupport;
import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.TokenStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static dev.tokenstarter.test.TokenStubs.apiWith;
import static dev.tokenstarter.test.TokenStubs.count;
import static dev.tokenstarter.test.TokenStubs.token;
import static dev.tokenstarter.test.TokenStubs.tokenRequest;
import static dev.tokenstarter.test.TokenStubs.tokenRequests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with the starter goes through Spring Boot's AOT processing, as {@code process-aot} runs it, and
 * the processed application starts on the JVM from the generated initializer, as {@code spring.aot.enabled=true}
 * runs it: it obtains a token from the provider and calls an API with it, with the memory store and with the Redis
 * store on a real {@code redis-server}. The hints the processing collects cover what the starter reads and writes
 * reflectively.
 * <p>
 * The generated classes are compiled here and defined beside the classes they belong to, in the test's own class
 * loader: generated bean registrations call package-private factory methods. Each processing gets its own prefix
 * for the generated class names, so that two processed applications can live in one JVM.
 */
class AotProcessedApplicationTests {

	@RegisterExtension
	static final WireMockExtension provider = EngineTestSupport.provider();

	/** The memory-store application, processed once for the tests of its run and of its hints. */
	private static Processed memory;

	@BeforeAll
	static void processMemoryApplication(@TempDir Path output) throws Exception {
		memory = processAndLoad("Memory", output, arguments());
	}

	@Test
	void processedApplicationWithTheMemoryStoreObtainsATokenAndCallsTheApi() {
		try (ConfigurableApplicationContext context = runProcessed(memory.initializer(), arguments())) {
			assertCallsTheApiWithAToken(context);
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
				.isNotInstanceOf(RedisAuthorizedClientService.class);
		}
	}

	@Test
	void processedApplicationWithTheRedisStoreObtainsATokenAndCallsTheApi(@TempDir Path output) throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			String[] arguments = arguments("--spring.data.redis.url=" + redis.url(),
					"--token.store.redis.encryption-keys=" + FleetTestSupport.TEST_KEY,
					// The first renewal also connects Redisson and takes the fleet lock: on a loaded machine that
					// can take longer than the default bound on callers.
					"--token.defaults.refresh.max-caller-wait=30s");
			ClassName initializer = processAndLoad("Redis", output, arguments).initializer();
			try (ConfigurableApplicationContext context = runProcessed(initializer, arguments)) {
				assertCallsTheApiWithAToken(context);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientService.class))
					.isInstanceOf(RedisAuthorizedClientService.class);
				assertThat(redis.command("KEYS", "*")).as("the token went to Redis")
					.anyMatch((key) -> key.contains("acme"));
			}
		}
	}

	@Test
	void hintsCoverWhatTheStarterReadsAndWritesReflectively() throws Exception {
		ReflectionHintsPredicates reflection = RuntimeHintsPredicates.reflection();
		Map<String, Predicate<RuntimeHints>> expected = new LinkedHashMap<>();
		// The store's JSON: the record it writes, Spring Security's token classes and how Jackson reaches them.
		expected.put("StoredTokens constructor",
				reflection.onConstructorInvocation(StoredTokens.class.getDeclaredConstructors()[0]));
		expected.put("StoredTokens.accessToken()", reflection.onMethodInvocation(StoredTokens.class, "accessToken"));
		expected.put("OAuth2AccessToken.getScopes()",
				reflection.onMethodInvocation(OAuth2AccessToken.class, "getScopes"));
		expected.put("OAuth2RefreshToken.getTokenValue()",
				reflection.onMethodInvocation(OAuth2RefreshToken.class, "getTokenValue"));
		for (String module : List.of("org.springframework.security.jackson.CoreJacksonModule",
				"org.springframework.security.oauth2.client.jackson.OAuth2ClientJacksonModule")) {
			expected.put(module, reflection.onType(TypeReference.of(module))
				.withMemberCategory(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS));
		}
		for (String mixin : List.of("org.springframework.security.oauth2.client.jackson.OAuth2AccessTokenMixin",
				"org.springframework.security.oauth2.client.jackson.OAuth2RefreshTokenMixin",
				"org.springframework.security.oauth2.client.jackson.StdConverters$AccessTokenTypeConverter")) {
			expected.put(mixin, reflection.onType(TypeReference.of(mixin))
				.withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS));
		}
		expected.put("scopes set", reflection.onType(TypeReference.of("java.util.Collections$UnmodifiableSet")));
		// The tokens endpoint: its operations, and the status it returns directly and inside a map.
		expected.put("TokensEndpoint.tokens()", reflection.onMethodInvocation(TokensEndpoint.class, "tokens"));
		expected.put("ProviderStatus.expiresAt()", reflection.onMethodInvocation(ProviderStatus.class, "expiresAt"));
		// Configuration properties (Spring Boot's) and the failure analyzers (Spring's spring.factories hints).
		expected.put("TokenProperties.setProviders()",
				reflection.onMethodInvocation(TokenProperties.class, "setProviders"));
		expected.put("TokenProperties.Provider.setTokenUri()",
				reflection.onMethodInvocation(TokenProperties.Provider.class, "setTokenUri"));
		expected.put("TokenProperties.Redis.setEncryptionKeys()",
				reflection.onMethodInvocation(TokenProperties.Redis.class, "setEncryptionKeys"));
		Class<?> failureAnalyzer = Class.forName("dev.tokenstarter.config.TokenPropertiesFailureAnalyzer");
		expected.put("TokenPropertiesFailureAnalyzer constructor",
				reflection.onConstructorInvocation(failureAnalyzer.getDeclaredConstructor()));
		List<String> missing = expected.entrySet()
			.stream()
			.filter((entry) -> !entry.getValue().test(memory.hints()))
			.map(Map.Entry::getKey)
			.toList();
		assertThat(missing).as("hints missing").isEmpty();
	}

	private static void assertCallsTheApiWithAToken(ConfigurableApplicationContext context) {
		RootBeanDefinition clients = (RootBeanDefinition) context.getBeanFactory()
			.getMergedBeanDefinition("tokenClients");
		assertThat(clients.getInstanceSupplier()).as("beans are registered by the generated code").isNotNull();
		RestClient api = context.getBean(TokenClients.class).restClient("acme");
		assertThat(api.get().uri(TokenStubs.API_PATH).retrieve().body(String.class)).isEqualTo("paid");
		assertThat(count(provider, tokenRequests())).isEqualTo(1);
		ProviderStatus status = context.getBean(TokensEndpoint.class).provider("acme");
		assertThat(status).isNotNull();
		assertThat(status.usable()).isTrue();
	}

	private static String[] arguments(String... more) {
		provider.resetAll();
		provider.stubFor(tokenRequest().willReturn(token("T1", 300)));
		provider.stubFor(apiWith("T1").willReturn(ok("paid")));
		List<String> arguments = new ArrayList<>();
		for (String property : TokenStubs.providerProperties(provider, "acme")) {
			arguments.add("--" + property);
		}
		arguments.addAll(List.of("--spring.main.web-application-type=none", "--spring.main.banner-mode=off",
				"--management.endpoints.web.exposure.include=tokens"));
		arguments.addAll(List.of(more));
		return arguments.toArray(String[]::new);
	}

	/**
	 * Starts the processed application the way Spring Boot does with {@code spring.aot.enabled=true}: bean
	 * definitions come from the generated initializer, not from the configuration classes.
	 */
	private static ConfigurableApplicationContext runProcessed(ClassName initializer, String[] arguments) {
		SpringProperties.setProperty(AotDetector.AOT_ENABLED, "true");
		try {
			assertThat(AotDetector.useGeneratedArtifacts()).isTrue();
			SpringApplication application = new SpringApplication(TokenApplication.class);
			application
				.addInitializers(AotApplicationContextInitializer.forInitializerClasses(initializer.reflectionName()));
			return application.run(arguments);
		}
		finally {
			SpringProperties.setProperty(AotDetector.AOT_ENABLED, null);
		}
	}

	private static Processed process(String prefix, Path output, String[] arguments) {
		Settings settings = Settings.builder()
			.sourceOutput(output.resolve("sources"))
			.resourceOutput(output.resolve("resources"))
			.classOutput(output.resolve("classes"))
			.groupId("dev.tokenstarter")
			.artifactId("aot-test")
			.build();
		PrefixedProcessor processor = new PrefixedProcessor(prefix, settings, arguments);
		ClassName initializer = processor.process();
		assertThat(processor.hints).isNotNull();
		return new Processed(initializer, processor.hints);
	}

	private static Processed processAndLoad(String prefix, Path output, String[] arguments) throws Exception {
		Processed processed = process(prefix, output, arguments);
		Path compiled = output.resolve("compiled");
		compile(output.resolve("sources"), compiled);
		define(compiled);
		define(output.resolve("classes"));
		return processed;
	}

	private static void compile(Path sources, Path classes) throws IOException {
		List<Path> files;
		try (Stream<Path> walk = Files.walk(sources)) {
			files = walk.filter((path) -> path.toString().endsWith(".java")).toList();
		}
		assertThat(files).as("generated sources").isNotEmpty();
		Files.createDirectories(classes);
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
		try (StandardJavaFileManager fileManager = compiler.getStandardFileManager(diagnostics, null,
				StandardCharsets.UTF_8)) {
			List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d",
					classes.toString(), "-proc:none", "-parameters");
			boolean compiledWell = compiler
				.getTask(null, fileManager, diagnostics, options, null, fileManager.getJavaFileObjectsFromPaths(files))
				.call();
			assertThat(compiledWell).as("generated sources compile: %s", diagnostics.getDiagnostics()).isTrue();
		}
	}

	/**
	 * Defines every class under {@code classes} in the package of the class it was generated for, outer classes
	 * before their nested ones.
	 */
	private static void define(Path classes) throws Exception {
		if (!Files.isDirectory(classes)) {
			return;
		}
		List<Path> files;
		try (Stream<Path> walk = Files.walk(classes)) {
			files = walk.filter((path) -> path.toString().endsWith(".class"))
				.sorted(Comparator.comparing((Path path) -> path.getFileName().toString().length()))
				.toList();
		}
		for (Path file : files) {
			String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
			name = name.substring(0, name.length() - ".class".length());
			Class<?> neighbour = generatedFor(name);
			MethodHandles.privateLookupIn(neighbour, MethodHandles.lookup()).defineClass(Files.readAllBytes(file));
		}
	}

	/**
	 * The class a generated class was made for: its name up to the generated suffix, where Spring writes a
	 * nested class's {@code $} as {@code _}.
	 */
	private static Class<?> generatedFor(String generated) throws ClassNotFoundException {
		int end = generated.length();
		for (String marker : List.of("__", "$$")) {
			int at = generated.indexOf(marker);
			if (at > 0) {
				end = Math.min(end, at);
			}
		}
		String candidate = generated.substring(0, end);
		int simpleName = candidate.lastIndexOf('.') + 1;
		while (true) {
			try {
				return Class.forName(candidate);
			}
			catch (ClassNotFoundException ex) {
				int underscore = candidate.lastIndexOf('_');
				if (underscore < simpleName) {
					throw ex;
				}
				candidate = candidate.substring(0, underscore) + "$" + candidate.substring(underscore + 1);
			}
		}
	}

	private record Processed(ClassName initializer, RuntimeHints hints) {

	}

	/**
	 * Spring Boot's own processor, with a prefix for the generated class names and the collected hints kept.
	 */
	private static final class PrefixedProcessor extends SpringApplicationAotProcessor {

		private final String prefix;

		private RuntimeHints hints;

		PrefixedProcessor(String prefix, Settings settings, String[] arguments) {
			super(TokenApplication.class, settings, arguments);
			this.prefix = prefix;
		}

		@Override
		protected ClassNameGenerator createClassNameGenerator() {
			return new ClassNameGenerator(ClassName.get(getApplicationClass()), this.prefix);
		}

		@Override
		protected void writeHints(RuntimeHints hints) {
			this.hints = hints;
			super.writeHints(hints);
		}

	}

	/**
	 * An application of a user: auto-configuration and nothing else (no component scan, which would pick up the
	 * other tests' configurations).
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TokenApplication {

		static void main(String[] args) {
			SpringApplication.run(TokenApplication.class, args);
		}

	}

}
