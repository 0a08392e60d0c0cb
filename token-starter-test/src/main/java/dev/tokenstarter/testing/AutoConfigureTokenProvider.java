package dev.tokenstarter.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Points the providers of a {@code @SpringBootTest}'s application at an in-process {@link TokenProviderStub},
 * started on a free port for its application context: the token endpoints (and refresh and revocation endpoints)
 * of {@code token.providers.*}, Nomba's and WSO2's included, and those of the providers of
 * {@code spring.security.oauth2.client.registration.*} entries, through properties that override the
 * application's before the context starts. The provider's API ({@code base-url}) is left as configured.
 *
 * <p>The stub is a bean of the context and a parameter of test methods. After each test it is reset and the
 * application's tokens of the stubbed providers are revoked (see {@link TokenProviderStub}). Contexts whose test
 * classes differ in this annotation's attributes are cached apart; each context has a stub of its own, stopped when
 * the context closes.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TokenProviderStubExtension.class)
public @interface AutoConfigureTokenProvider {

	/**
	 * Names of the providers to stub ({@code token.providers.<name>} or the id of a
	 * {@code spring.security.oauth2.client.registration.<id>}); every configured one when empty. A name configured
	 * nowhere fails the context.
	 */
	String[] providers() default {};

	/**
	 * Lifetime of the tokens issued, in Spring Boot's duration format ({@code 1h}, {@code 30s}, {@code PT5M}),
	 * until a test sets another with {@link TokenProviderStub#setTokenLifetime}.
	 */
	String tokenLifetime() default "1h";

}
