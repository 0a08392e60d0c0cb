package dev.tokenstarter.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.util.ClassUtils;

import dev.tokenstarter.engine.ProviderStatus;
import dev.tokenstarter.store.AuthorizedClientCodec;

/**
 * What a native image must keep for the starter's reflective reads and writes that Spring's AOT processing does
 * not find by itself. Configuration properties are not here: Spring Boot registers the binding of every
 * {@code @ConfigurationProperties} bean, {@code TokenProperties} and its nested classes included; nor are the
 * failure analyzers, which Spring registers for every {@code spring.factories} entry.
 */
final class TokenRuntimeHints implements RuntimeHintsRegistrar {

	/**
	 * Spring Security loads its Jackson modules by class name and creates them through their public constructor;
	 * its own hints do not cover that, and without them the store could not read back what it wrote.
	 */
	private static final List<String> SECURITY_JACKSON_MODULES = List.of(
			"org.springframework.security.jackson.CoreJacksonModule",
			"org.springframework.security.web.jackson.WebJacksonModule",
			"org.springframework.security.web.server.jackson.WebServerJacksonModule",
			"org.springframework.security.web.jackson.WebServletJacksonModule",
			"org.springframework.security.oauth2.client.jackson.OAuth2ClientJacksonModule");

	/**
	 * The mix-ins that give Spring Security's token classes their JSON shape, and the converter one of them
	 * names: Jackson reads their annotations and creates the converter reflectively.
	 */
	private static final List<String> TOKEN_MIXINS = List.of(
			"org.springframework.security.oauth2.client.jackson.OAuth2AccessTokenMixin",
			"org.springframework.security.oauth2.client.jackson.OAuth2RefreshTokenMixin",
			"org.springframework.security.oauth2.client.jackson.StdConverters$AccessTokenTypeConverter");

	/**
	 * Spring Security writes a token's scopes with their class name ({@code OAuth2AccessToken} keeps them in an
	 * unmodifiable set), and Jackson looks that class up by name when it reads them.
	 */
	private static final String SCOPES_SET = "java.util.Collections$UnmodifiableSet";

	/** Looked up by name to choose the token endpoint's HTTP client. */
	private static final String REACTOR_NETTY_CLIENT = "reactor.netty.http.client.HttpClient";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();
		bindings.registerReflectionHints(hints.reflection(), AuthorizedClientCodec.StoredTokens.class);
		// The endpoint's tokens() operation returns a map, whose values Spring's endpoint support cannot see.
		bindings.registerReflectionHints(hints.reflection(), ProviderStatus.class);
		for (String module : SECURITY_JACKSON_MODULES) {
			if (ClassUtils.isPresent(module, classLoader)) {
				hints.reflection()
					.registerType(TypeReference.of(module), MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
			}
		}
		for (String mixin : TOKEN_MIXINS) {
			hints.reflection()
				.registerType(TypeReference.of(mixin), MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
						MemberCategory.INVOKE_DECLARED_METHODS, MemberCategory.ACCESS_DECLARED_FIELDS);
		}
		hints.reflection().registerType(TypeReference.of(SCOPES_SET));
		if (ClassUtils.isPresent(REACTOR_NETTY_CLIENT, classLoader)) {
			hints.reflection().registerType(TypeReference.of(REACTOR_NETTY_CLIENT));
		}
	}

}
