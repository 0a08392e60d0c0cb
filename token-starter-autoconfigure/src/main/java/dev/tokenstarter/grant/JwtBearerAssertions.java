package dev.tokenstarter.grant;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Supplies the assertion of a JWT bearer grant (RFC 7523 section 2.1) for a provider's application token, when the
 * token is not asked for with a subject token of its own (a key built with
 * {@code TokenKey.Builder#subjectToken}, whose JWT is then the assertion). Declare one as a bean: for example an
 * assertion the application signs for itself, or one a platform issues to the workload.
 */
@FunctionalInterface
public interface JwtBearerAssertions {

	/**
	 * Returns a fresh assertion for a provider.
	 * @param registration the provider's registration
	 * @return the assertion; empty when there is none for this provider
	 */
	Mono<Jwt> assertion(ClientRegistration registration);

}
