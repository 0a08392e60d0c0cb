package dev.tokenstarter.autoconfigure;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

import dev.tokenstarter.config.OnRefreshFailure;
import dev.tokenstarter.config.TokenClientRegistrationRepository;
import dev.tokenstarter.config.TokenConfigurationException;
import dev.tokenstarter.config.TokenProperties;

/**
 * The registrations whose refused renewals log users out ({@code token.logins.<id>.on-refresh-failure: logout})
 * and the post-logout redirect URI they share, checked at start-up: one reading of {@code token.logins} for the
 * servlet and the reactive stack, so both refuse the same mistakes with the same words.
 *
 * @param registrationIds the registrations that log users out
 * @param postLogoutRedirectUri where the provider sends the user after ending its session
 */
record RefreshFailureLogouts(Set<String> registrationIds, String postLogoutRedirectUri) {

	/**
	 * Reads {@code token.logins}; every entry must name an authorization code registration.
	 * @param properties the properties
	 * @param registrations the registrations the engine knows
	 * @return the registrations that log users out
	 * @throws TokenConfigurationException naming the property when an entry names no login registration or the
	 * registrations that log users out disagree on the post-logout redirect URI
	 */
	static RefreshFailureLogouts of(TokenProperties properties, TokenClientRegistrationRepository registrations) {
		properties.getLogins().keySet().forEach((registrationId) -> checkLogin(registrationId, registrations));
		Set<String> logouts = new LinkedHashSet<>();
		Set<String> redirectUris = new LinkedHashSet<>();
		properties.getLogins().forEach((registrationId, login) -> {
			if (login.getOnRefreshFailure() == OnRefreshFailure.LOGOUT) {
				logouts.add(registrationId);
				redirectUris.add(login.getPostLogoutRedirectUri());
			}
		});
		if (redirectUris.size() > 1) {
			throw new TokenConfigurationException("token.logins", "sets different post-logout-redirect-uri "
					+ "values for registrations with on-refresh-failure 'logout'; they share one logout");
		}
		return new RefreshFailureLogouts(Set.copyOf(logouts), redirectUris.iterator().next());
	}

	private static void checkLogin(String registrationId, TokenClientRegistrationRepository registrations) {
		ClientRegistration registration = registrations.findByRegistrationId(registrationId)
			.onErrorResume(IllegalArgumentException.class, (ex) -> Mono.empty())
			.block();
		if (registration == null
				|| !AuthorizationGrantType.AUTHORIZATION_CODE.equals(registration.getAuthorizationGrantType())) {
			throw new TokenConfigurationException("token.logins." + registrationId,
					"names no registration that logs users in: expected the id of a "
							+ "spring.security.oauth2.client.registration with the authorization_code grant");
		}
	}

	/**
	 * Whether a registration's refused renewals log users out.
	 */
	static class Condition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Map<String, TokenProperties.Login> logins = Binder.get(context.getEnvironment())
				.bind("token.logins", Bindable.mapOf(String.class, TokenProperties.Login.class))
				.orElse(Map.of());
			boolean logout = logins.values()
				.stream()
				.anyMatch((login) -> login.getOnRefreshFailure() == OnRefreshFailure.LOGOUT);
			return logout ? ConditionOutcome.match("a login logs users out on a refused renewal")
					: ConditionOutcome.noMatch("no login logs users out on a refused renewal");
		}

	}

}
