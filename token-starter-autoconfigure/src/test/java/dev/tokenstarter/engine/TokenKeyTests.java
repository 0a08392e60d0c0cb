package dev.tokenstarter.engine;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What makes two keys the same key, and what a key refuses to be.
 */
class TokenKeyTests {

	@Test
	void keysAreEqualWhateverOrderTheirScopesAndParametersWereGivenIn() {
		TokenKey one = TokenKey.forProvider("acme").scopes("b", "a").parameter("x", "1").audience("orders").build();
		TokenKey two = TokenKey.forProvider("acme").audience("orders").parameter("x", "1").scopes(List.of("a", "b")).build();
		assertThat(one).isEqualTo(two).hasSameHashCodeAs(two);
		assertThat(one.scopes()).containsExactly("a", "b");
		assertThat(one.parameters()).containsExactly(Map.entry("audience", "orders"), Map.entry("x", "1"));
	}

	@Test
	void keysDifferInEveryPart() {
		TokenKey base = TokenKey.forProvider("acme").principal("alice").scopes("a").audience("orders").build();
		assertThat(List.of(TokenKey.forProvider("other").principal("alice").scopes("a").audience("orders").build(),
				TokenKey.forProvider("acme").principal("bob").scopes("a").audience("orders").build(),
				TokenKey.forProvider("acme").scopes("a").audience("orders").build(),
				TokenKey.forProvider("acme").principal("alice").scopes("b").audience("orders").build(),
				TokenKey.forProvider("acme").principal("alice").scopes("a").audience("payments").build(),
				TokenKey.forProvider("acme").principal("alice").scopes("a").resource("orders").build()))
			.allSatisfy((other) -> assertThat(other).isNotEqualTo(base));
	}

	@Test
	void keysWhoseScopesOrParametersHoldSeparatorsAreStoredUnderNamesOfTheirOwn() {
		List<TokenKey> keys = List.of(
				TokenKey.forProvider("acme").principal("alice").audience("api-a, resource=https://r").build(),
				TokenKey.forProvider("acme").principal("alice").audience("api-a").resource("https://r").build(),
				TokenKey.forProvider("acme").principal("alice").parameter("a=b", "c").build(),
				TokenKey.forProvider("acme").principal("alice").parameter("a", "b=c").build(),
				TokenKey.forProvider("acme").principal("alice").scopes("read, write").build(),
				TokenKey.forProvider("acme").principal("alice").scopes("read", "write").build());
		assertThat(keys).doesNotHaveDuplicates();
		assertThat(keys.stream().map((key) -> KeyPrincipal.named(key).getName())).doesNotHaveDuplicates();
		ClientRegistration registration = ClientRegistration.withRegistrationId("acme")
			.clientId("app")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("https://as/token")
			.build();
		assertThat(KeyPrincipal.application(registration, Map.of("audience", "api-a, resource=https://r"), null))
			.isNotEqualTo(KeyPrincipal.application(registration,
					Map.of("audience", "api-a", "resource", "https://r"), null));
	}

	@Test
	void plainKeysKeepTheNamesTheirTokensWereStoredUnderBefore() {
		// A fleet upgraded one instance at a time shares its tokens only if both versions name them alike.
		assertThat(KeyPrincipal.named(TokenKey.forProvider("acme").principal("alice").scopes("b", "a")
			.audience("https://api/x?y=1").build()).getName())
			.isEqualTo("alice#" + KeyPrincipal.sha256("[a, b]\n{audience=https://api/x?y=1}").substring(0, 16));
		// Values with brackets, braces, commas or spaces that hold no ", " read one way too (RFC 9396's JSON).
		String details = "[{\"type\":\"payment\",\"amount\":\"4 EUR\"}]";
		assertThat(KeyPrincipal.named(TokenKey.forProvider("acme").principal("alice")
			.parameter("authorization_details", details).build()).getName())
			.isEqualTo("alice#" + KeyPrincipal.sha256("[]\n{authorization_details=" + details + "}").substring(0, 16));
	}

	@Test
	void aKeyWithNothingSetIsTheApplicationKey() {
		assertThat(TokenKey.forProvider("acme").build()).isEqualTo(TokenKey.application("acme"));
		assertThat(TokenKey.application("acme").isApplication()).isTrue();
		assertThat(TokenKey.forProvider("acme").audience("x").build().isApplication()).isFalse();
		assertThat(TokenKey.forProvider("acme").principal("alice").build().isApplication()).isFalse();
		assertThat(TokenKey.application("acme").scopes()).isEqualTo(Set.of());
	}

	@Test
	void aPrincipalCannotTakeTheNameOfApplicationTokens() {
		assertThatIllegalArgumentException().isThrownBy(() -> TokenKey.forProvider("acme").principal("app:1234"))
			.withMessageContaining("app:");
	}

	@Test
	void parametersTheGrantSetsItselfCannotBePartOfAKey() {
		for (String reserved : List.of("grant_type", "client_secret", "password", "scope", "client_assertion")) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> TokenKey.forProvider("acme").parameter(reserved, "x"))
				.withMessageContaining(reserved);
		}
	}

	@Test
	void toStringNamesNoPrincipalAndNoParameterValue() {
		String text = TokenKey.forProvider("acme").principal("alice").audience("secret-audience").scopes("s").build()
			.toString();
		assertThat(text).contains("acme").doesNotContain("alice").doesNotContain("secret-audience");
	}

}
